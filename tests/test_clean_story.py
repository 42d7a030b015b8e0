"""Story text that looks like debris to a naive rule must stay: a review's reproductions."""

from __future__ import annotations

from reader.clean import clean


def page(*lines: str) -> str:
    return "\n\n".join(lines)


BAKERY = [
    "The bakery that sells a thousand cookies a day",
    "When Maria Lopez opened her bakery on Elm Street in 2015, she sold a few dozen cookies "
    "on a good day. Today the queue starts at seven and the shelves are empty by noon.",
    "Her chocolate chip cookies are baked every hour, and the recipe has not changed since "
    "the first day, she says: butter, brown sugar and a pinch of salt on top.",
    "The newsletter of the local business association named the shop its bakery of the year, "
    "and a food blogger's video about the cookies was watched two million times.",
]


def test_a_story_about_cookies_keeps_its_paragraphs() -> None:
    article = clean(page(*BAKERY))
    for paragraph in BAKERY[1:]:
        assert paragraph in article.body


def test_a_paragraph_that_says_commentaire_is_story() -> None:
    lines = [
        "La mairie ferme la piscine pour travaux",
        "La piscine municipale fermera ses portes le 1er juillet pour deux ans de travaux, a "
        "annoncé la mairie mardi soir lors du conseil municipal.",
        "Interrogé sur le coût du chantier, le maire n'a pas souhaité faire de commentaire avant "
        "la publication de l'appel d'offres, prévue à la fin du mois.",
        "Les clubs de natation devront s'entraîner dans la ville voisine pendant la durée des "
        "travaux, ce qui inquiète de nombreux parents.",
    ]
    article = clean(page(*lines))
    for paragraph in lines[1:]:
        assert paragraph in article.body


TITLE_CASE = [
    "Shoppers cut back as prices climb again",
    "Supermarket sales fell for the third month in a row in March, as households facing higher "
    "energy bills bought fewer and cheaper goods, figures showed on Thursday.",
    "The drop was sharpest in fresh food and in household goods, where volumes fell by almost "
    "four percent compared with the same month last year.",
    "Rising Food Prices",
    "The price of a typical basket of groceries has risen by eleven percent in a year, the "
    "statistics office said, with butter, eggs and olive oil leading the increase.",
    "Retailers say they expect prices to level off in the summer, but warn that a poor harvest "
    "in southern Europe could push some fruit and vegetables higher again.",
]


def test_a_subheading_in_title_case_is_not_a_byline() -> None:
    article = clean(page(*TITLE_CASE))
    assert [b.text for b in article.blocks if b.kind == "heading"] == ["Rising Food Prices"]
    assert article.author is None


def test_a_late_subheading_that_starts_like_a_section_link_keeps_what_follows() -> None:
    lines = [
        "La préfecture renforce la sécurité routière sur la nationale",
        "Après trois accidents mortels depuis janvier, la préfecture a annoncé lundi une série de "
        "mesures pour la route nationale qui traverse le département du nord au sud.",
        "La vitesse sera abaissée à 80 km/h sur les trente kilomètres les plus dangereux, et deux "
        "radars supplémentaires seront installés avant l'été.",
        "Les élus locaux saluent ces annonces mais réclament depuis des années un élargissement de "
        "la chaussée, que l'État juge trop coûteux pour le moment.",
        "Plus de contrôles",
        "Les gendarmes multiplieront les contrôles d'alcoolémie le week-end, en particulier à la "
        "sortie des discothèques et des fêtes de village, a précisé le préfet.",
    ]
    article = clean(page(*lines))
    assert lines[-1] in article.body


def test_a_subheading_with_a_common_word_of_page_furniture_stays() -> None:
    lines = [
        "Flood defences delayed again",
        "Work on the new flood wall along the river has been delayed until next spring, the "
        "council said, after the contractor found old foundations under the towpath.",
        "Residents who were flooded twice in three years say they are losing patience with "
        "promises, and some have paid for their own barriers at the front door.",
        "What happens next",
        "The council will publish a new timetable in June, and says the wall will still be "
        "finished before the winter of the following year if the weather allows.",
    ]
    article = clean(page(*lines))
    assert "What happens next" in [b.text for b in article.blocks if b.kind == "heading"]


def test_source_from_a_two_part_domain() -> None:
    lines = [
        *TITLE_CASE,
        "This article was originally published on bbc.co.uk",
    ]
    assert clean(page(*lines)).source == "bbc"


def test_whether_the_first_line_stays_does_not_depend_on_the_last() -> None:
    story = [
        "Il pleut sur la ville.",
        "Depuis trois jours, la pluie ne cesse de tomber sur la ville et les rivières débordent "
        "dans plusieurs quartiers, selon les services de la préfecture.",
        "Les pompiers sont intervenus plus de deux cents fois depuis vendredi, principalement pour "
        "des caves inondées et des arbres tombés sur la chaussée.",
    ]
    first = clean(page(*story, "Merci."))
    second = clean(page(*story, "Fin de l'article sans point final"))
    assert ("Il pleut sur la ville." in first.body) == ("Il pleut sur la ville." in second.body)
