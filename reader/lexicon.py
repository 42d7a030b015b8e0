"""Words of web-page furniture in several languages: one feature of the cleaner among others.

These are kinds of debris common to news sites and blogs (comments, related links, sharing,
sign-up, legal), not phrases of any one page. A match alone decides nothing: the cleaner
weighs it with the line's length, shape, stop words and position. Matching is on the line's
lower-cased word tokens, so it costs a few set look-ups per word.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+")


def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    """'a b|c' -> {('a', 'b'), ('c',)}: phrases as tuples of word tokens."""
    return frozenset(tuple(_TOKEN.findall(p.lower())) for p in text.split("|") if p.strip())


# Lines that open a section which is not the story: comments, related or recommended links.
# After most of the story, such a line ends it.
_COMMENTS = _phrases(
    "comment|comments|kommentar|kommentare|commentaire|commentaires|comentario|comentarios|"
    "commenti|commento|komentarz|komentarze|komentarzy|reacties|reactie|comentários|"
    "leave a reply|leave a comment|post a comment|add a comment|write a comment|"
    "join the discussion|join the conversation|schreibe einen kommentar|"
    "schreiben sie einen kommentar|kommentar schreiben|kommentar verfassen|kommentare schreiben|"
    "hinterlasse einen kommentar|hinterlasse eine antwort|laisser un commentaire|"
    "laissez un commentaire|réagir|publier un commentaire|deja un comentario|"
    "deja tu comentario|deixe um comentário|lascia un commento|recent comments|"
    "neueste kommentare|keine kommentare|kommentare geschlossen|reply|antworten"
)
_RELATED = _phrases(
    "related|related posts|related articles|related stories|related news|related content|"
    "related coverage|related topics|more from|more stories|more news|more articles|"
    "more like this|you may also like|you might also like|you may like|recommended|"
    "recommended for you|most popular|most read|most viewed|most shared|popular posts|"
    "latest news|latest posts|latest articles|latest stories|trending|top stories|read next|"
    "up next|see also|read also|also read|ähnliche beiträge|ähnliche artikel|ähnliche themen|"
    "verwandte artikel|verwandte beiträge|verwandte themen|mehr zum thema|auch interessant|"
    "das könnte sie auch interessieren|das könnte sie interessieren|"
    "das könnte dich auch interessieren|weitere artikel|weitere beiträge|weitere nachrichten|"
    "weitere themen|meistgelesen|meistgelesene artikel|neueste beiträge|neueste artikel|"
    "beliebte beiträge|beliebte artikel|empfohlene artikel|lesen sie auch|lesen sie mehr|"
    "schon gelesen|à lire aussi|a lire aussi|à lire également|lire aussi|sur le même sujet|"
    "dans la même rubrique|voir aussi|les plus lus|articles similaires|articles liés|"
    "nos derniers articles|contenido relacionado|notas relacionadas|artículos relacionados|"
    "noticias relacionadas|lo más visto|lo más leído|más leídas|mas leidas|te puede interesar|"
    "también te puede interesar|leggi anche|potrebbe interessarti|articoli correlati|"
    "zobacz też|zobacz także|czytaj też|czytaj także|czytaj również|leia também|leia mais|"
    "veja também|mais lidas|vea también|ver también|lee también|lea también|mira también|"
    "siehe auch|lire également|à voir aussi|à voir|see more|watch"
)
_SECTION = _COMMENTS | _RELATED

# "More from <section>", "Mehr aus <Ressort>": a short line opening a list of links.
_SECTION_PREFIX = _phrases(
    "more from|more in|mehr aus|mehr zu|mehr von|mehr zum|plus de|más de|mais de|altro da|"
    "weitere|other|autres|otras"
)

# Furniture of any size: sharing, accounts, sign-up, navigation, legal, advertising, media.
_FURNITURE = _phrases(
    "share|shares|teilen|partager|partagez|compartir|enviar|send|senden|envoyer|condividi|udostępnij|tweet|"
    "facebook|twitter|whatsapp|pinterest|linkedin|telegram|instagram|youtube|xing|reddit|"
    "email|e mail|print|drucken|imprimer|imprimir|stampa|copy link|link kopieren|"
    "login|log in|sign in|signin|sign up|signup|register|anmelden|registrieren|einloggen|"
    "connexion|s inscrire|inscrivez vous|inscription|iniciar sesión|regístrate|inicia sesión|"
    "subscribe|subscription|abonnieren|abonnement|abonnez vous|suscríbete|suscribete|"
    "newsletter|follow us|folgen sie uns|folge uns|suivez nous|síguenos|siguenos|"
    "skip to content|skip to main content|zum inhalt springen|aller au contenu|"
    "ir al contenido|back to top|nach oben|zurück zur übersicht|zurück zur startseite|"
    "retour|menu|menü|navigation|search|suche|recherche|buscar|home|startseite|accueil|"
    "inicio|cookie|cookies|privacy|privatsphäre|vie privée|boletín|datenschutz|"
    "datenschutzerklärung|confidentialité|"
    "privacidad|terms of use|terms of service|nutzungsbedingungen|agb|impressum|imprint|"
    "mentions légales|aviso legal|copyright|all rights reserved|alle rechte vorbehalten|"
    "tous droits réservés|todos los derechos reservados|advertisement|advertising|anzeige|"
    "werbung|publicité|publicidad|pubblicità|reklama|sponsored|gesponsert|sponsorisé|"
    "patrocinado|contact|contact us|kontakt|contacto|about us|über uns|qui sommes nous|"
    "tags|tag|schlagworte|schlagwörter|kategorien|kategorie|categories|category|catégories|"
    "categorías|themen|filed under|posted in|veröffentlicht in|previous|next|older posts|"
    "newer posts|vorheriger|nächster|précédent|suivant|anterior|siguiente|permalink|"
    "load more|mehr laden|voir plus|ver más|weiterlesen|read more|lire la suite|leer más|"
    "continue reading|video|videos|vidéo|vídeo|foto|fotos|photo|photos|bild|bilder|image|"
    "galerie|gallery|galería|podcast|rss|feed|app|apps|download"
)

# Marks of a consent, legal or sign-up notice, which may be a long, well-formed sentence.
# One strong mark is enough; weak marks (words a story may use too) count only in pairs.
_NOTICE = _phrases(
    "privacy policy|politique de confidentialité|política de privacidad|terms of use|"
    "terms and conditions|terms conditions|all rights reserved|alle rechte vorbehalten|"
    "tous droits réservés|todos los derechos reservados|will not be published|"
    "wird nicht veröffentlicht|ne sera pas publiée|required fields are marked|"
    "pflichtfelder sind|we use cookies|wir verwenden cookies|nous utilisons des cookies|"
    "utilizamos cookies|affiliate link|affiliate links|affiliate commission|earn a commission|"
    "comment policy|commenting policy|comments section|in your inbox|in ihr postfach|"
    "in ihren posteingang|dans votre boîte|en tu correo|en tu bandeja|your browser|"
    "ihr browser|votre navigateur|subscribe to|sign up for|sign up to|melden sie sich|"
    "inscrivez vous|abonnieren sie|accept cookies|cookies akzeptieren|accepter les cookies|"
    "aceptar cookies|cookie settings|cookie einstellungen|paramètres des cookies|"
    "on your device|auf ihrem gerät|auf ihrem endgerät|sur votre appareil|en tu dispositivo|"
    "en su dispositivo|manage preferences|manage cookies|gérer les cookies"
)
_WEAK_NOTICE = _phrases(
    "cookie|cookies|javascript|newsletter|datenschutzerklärung|kommentarfunktion|suscríbete|"
    "browser|navigateur|boletín|subscribe|abonnieren|sign up|commentaire|commentaires|comments|"
    "privacy|privatsphäre|vie privée|privacidad|datenschutz|consent|einwilligung|zustimmung|"
    "consentement|consentimiento|our partners|unsere partner|nos partenaires|nuestros socios|"
    "personalised|personalized|personalisierte|personnalisée|personnalisées|personalizada|"
    "tracking|traceurs|analytics|settings|einstellungen|paramètres|configuración|accept|"
    "akzeptieren|accepter|aceptar|unsubscribe|abmelden|désinscrire|preferences|präferenzen|"
    "préférences|preferencias"
)

# A link to the rest of a teaser: the line before it is a teaser, not the story.
_READ_MORE = _phrases(
    "more|mehr|read more|more info|weiterlesen|weiter|weiter lesen|mehr lesen|mehr erfahren|"
    "mehr dazu|mehr infos|mehr informationen|zum artikel|zum beitrag|lire la suite|la suite|"
    "lire plus|en savoir plus|leer más|leer mas|ver más|seguir leyendo|saber más|"
    "continue reading|keep reading|learn more|full story|view more|see more|leggi tutto|"
    "continua a leggere|czytaj dalej|czytaj więcej|leia mais|continue lendo|details"
)


def _anchor(phrase: tuple[str, ...]) -> int:
    """Where a phrase is looked for: its longest word, the rarest in text as a rule."""
    return max(range(len(phrase)), key=lambda k: (len(phrase[k]), k))


class _Index:
    """Phrases found through one anchor word each, so that a line holding none of the
    anchors costs one set operation."""

    def __init__(self, phrases: frozenset[tuple[str, ...]]) -> None:
        self.by_anchor: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for phrase in sorted(phrases):
            k = _anchor(phrase)
            self.by_anchor.setdefault(phrase[k], []).append((phrase, k))
        self.anchors = frozenset(self.by_anchor)

    def hits(self, words: list[str]) -> int:
        """How many places of `words` start one of the phrases."""
        found = self.anchors.intersection(words)
        if not found:
            return 0
        starts: set[int] = set()
        for i, word in enumerate(words):
            if word in found:
                for phrase, k in self.by_anchor[word]:
                    start = i - k
                    if start >= 0 and tuple(words[start : start + len(phrase)]) == phrase:
                        starts.add(start)
        return len(starts)


_FURNITURE_INDEX = _Index(_FURNITURE)
_NOTICE_INDEX = _Index(_NOTICE)
_WEAK_NOTICE_INDEX = _Index(_WEAK_NOTICE)
_SECTION_ANCHORS = _Index(_SECTION | _SECTION_PREFIX).anchors
# One word of every phrase of this module: a line with none of them matches nothing here.
ANCHORS = frozenset().union(
    _SECTION_ANCHORS,
    _FURNITURE_INDEX.anchors,
    _NOTICE_INDEX.anchors,
    _WEAK_NOTICE_INDEX.anchors,
    _Index(_READ_MORE).anchors,
)


def section_break(text: str, words: list[str]) -> str | None:
    """ "comments" or "related" for a short line that opens such a section, else None.

    `words` are the line's lower-cased tokens. Numbers (a comment count) may come along.
    """
    if len(text) > 60 or not words or _SECTION_ANCHORS.isdisjoint(words):
        return None
    content = [w for w in words if not w.isdigit()]
    if not content or len(content) > 6:
        return None
    phrase = tuple(content)
    if phrase in _COMMENTS:
        return "comments"
    if phrase in _RELATED:
        return "related"
    if (
        len(content) <= 4
        and (tuple(content[:2]) in _SECTION_PREFIX or tuple(content[:1]) in _SECTION_PREFIX)
        and not any(w.isdigit() for w in words)
    ):
        return "related"
    return None


_LABEL_MARK = re.compile(r"[:|»–—]")
_LABEL = re.compile(r"\W*([^:|»–—]{2,40}?)\s*[:|»–—]\s*\S")


def is_link_line(text: str) -> bool:
    """True for a link to another article behind a label: "Read also: …", "Lire aussi : …"."""
    if not _LABEL_MARK.search(text, 0, 45):
        return False
    m = _LABEL.match(text)
    if m is None:
        return False
    label = tuple(_TOKEN.findall(m.group(1).lower()))
    return label in _RELATED or label in _READ_MORE


def is_read_more(words: list[str]) -> bool:
    """True for a "read more" link alone on a line."""
    content = tuple(w for w in words if not w.isdigit())
    return 0 < len(content) <= 4 and content in _READ_MORE


def furniture_hits(words: list[str]) -> int:
    """How many words of page furniture the tokens `words` hold."""
    return _FURNITURE_INDEX.hits(words)


def notice_marks(words: list[str]) -> tuple[int, int]:
    """(strong, weak) marks of a consent, legal or sign-up notice in the tokens `words`."""
    return _NOTICE_INDEX.hits(words), _WEAK_NOTICE_INDEX.hits(words)
