"""Test data shared by several test modules (a plain module: conftest.py is left free)."""

from __future__ import annotations

PAGE = """<!DOCTYPE html>
<html lang="fr-FR">
<head>
  <meta charset="utf-8">
  <title>Les abeilles reviennent en ville | Le Quotidien du Jardin</title>
  <meta property="og:site_name" content="Le Quotidien du Jardin">
  <meta name="author" content="Claire Martin">
  <meta property="article:published_time" content="2024-03-12T08:30:00+01:00">
</head>
<body>
  <header><nav><ul><li><a href="/">Accueil</a></li><li><a href="/monde">Monde</a></li>
  <li><a href="/jardin">Jardin</a></li><li><a href="/contact">Contact</a></li></ul></nav></header>
  <main><article>
    <h1>Les abeilles reviennent en ville</h1>
    <p>Depuis trois ans, les ruches installées sur les toits de la ville produisent un miel
    apprécié des habitants, et les apiculteurs amateurs se multiplient dans les quartiers.</p>
    <p>Selon l’association locale, plus de deux cents colonies vivent désormais sur les
    immeubles du centre, contre une trentaine seulement au début de la décennie.</p>
    <h2>Un équilibre fragile</h2>
    <p>Les spécialistes rappellent toutefois que les abeilles sauvages souffrent de cette
    concurrence, et demandent que l’on plante davantage de fleurs dans les parcs publics.</p>
  </article></main>
  <footer><p>© 2024 Le Quotidien du Jardin. Tous droits réservés.</p>
  <a href="/mentions">Mentions légales</a> <a href="/cookies">Cookies</a></footer>
</body>
</html>
"""
