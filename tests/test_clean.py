"""The cleaner on the five sample articles: debris gone, story kept, metadata found."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.clean import clean
from reader.library import read_text
from reader.models import Article

ARTICLES = Path(__file__).resolve().parent.parent / "articles"


def sample(prefix: str) -> tuple[str, Article]:
    """The sample article whose file name starts with `prefix`: its text and its cleaning."""
    (path,) = ARTICLES.glob(f"{prefix}_*.txt")
    text = read_text(path).text
    return text, clean(text)


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def assert_absent(article: Article, *debris: str) -> None:
    for piece in debris:
        assert piece not in article.body, f"debris kept: {piece!r}"


def assert_blocks(article: Article, kind: str, *texts: str) -> None:
    for text in texts:
        assert any(b.kind == kind and b.text == text for b in article.blocks), (
            f"{kind} missing: {text!r}"
        )


# --- Metadata ---------------------------------------------------------------------------


def test_000_date_glued_to_the_first_sentence() -> None:
    _, article = sample("000")
    assert article.date == "2022-12"
    assert article.blocks[0].text.startswith("Rien que ce matin du 29 décembre")
    assert_absent(article, "date 2022-12")
    assert article.title is None  # this page has no headline


def test_001_title_and_source() -> None:
    _, article = sample("001")
    assert article.title == (
        'Guerre en Ukraine: ces soldats russes "déserteurs" qui combattent avec l\'armée de Kiev'
    )
    assert article.source == "BFMTV"


def test_003_title_and_date() -> None:
    _, article = sample("003")
    assert article.title == "Des combattants anti-Poutine attaquent la Russie depuis l'Ukraine"
    assert article.date == "2024-03-12"


def test_004_title_date_and_author() -> None:
    _, article = sample("004")
    assert article.title == "500 soldats russes menacent Poutine de déserter le front ukrainien"
    assert article.date == "2023-09-16"
    assert article.author == "Chiara Schlenz"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_language_is_french(prefix: str) -> None:
    assert sample(prefix)[1].language == "fr"


@pytest.mark.parametrize("prefix", ["001", "003", "004"])
def test_headline_is_not_repeated_in_the_body(prefix: str) -> None:
    _, article = sample(prefix)
    assert article.title is not None
    assert article.title not in article.body


# --- One test per kind of debris in the samples --------------------------------------------


def test_breadcrumbs() -> None:
    _, article = sample("003")
    assert "International" not in lines_of(article.body)
    assert "Russie" not in lines_of(article.body)


def test_photo_caption_shown_twice() -> None:
    _, article = sample("003")
    assert_absent(article, "Des membres de la Légion Liberté de la Russie, qui ont traversé")


def test_timestamp_line() -> None:
    _, article = sample("003")
    assert_absent(article, "12.03.2024, 15:1313.03.2024, 08:12", "15:13")


def test_more_from_section_link() -> None:
    _, article = sample("003")
    assert_absent(article, "Plus de «International»")


def test_video_title_and_duration() -> None:
    _, article = sample("004")
    assert_absent(article, "Des soldats russes menacent de se retirer", "0:47", "Les pertes sont")


def test_published_and_updated_lines() -> None:
    _, article = sample("004")
    assert_absent(article, "Publié:", "Dernière mise à jour", "|")


def test_gallery_counter_caption_and_photo_credit() -> None:
    _, article = sample("004")
    assert "1/6" not in lines_of(article.body)
    assert_absent(
        article,
        "500 soldats russes menacent le Kremlin de se retirer du front en Ukraine.",
        "Photo: Twitter / @astraiaintel",
    )


def test_author_alone_on_a_line() -> None:
    _, article = sample("004")
    assert_absent(article, "Chiara Schlenz")


def test_error_report_prompt_after_the_story() -> None:
    _, article = sample("004")
    assert_absent(article, "Vous avez trouvé une erreur")


def test_original_source_line_and_video_teaser() -> None:
    _, article = sample("001")
    assert_absent(article, "Article original publié sur BFMTV.com", "VIDÉO -", "inévitable")


def test_strings_of_numbers_and_uploader() -> None:
    text, article = sample("002")
    numbers = [line for line in lines_of(text) if line.isdigit()]
    assert len(numbers) == 29
    for number in numbers:
        assert number not in article.body
    assert_absent(article, "By mrtrv")


def test_comments_notice_and_teaser_of_another_article() -> None:
    _, article = sample("003")
    assert_absent(
        article,
        "L'Ukraine reçoit des chars Abrams et la Russie en détruit un",
        "Video: watson",
        "0 Commentaires",
        "Comme nous voulons continuer à modérer",
        "Une arme mystérieuse flotte",
        "La pénurie de munitions",
        "Ils volent à haute altitude",
        "L’article",
    )


# --- What the story keeps ------------------------------------------------------------------

# (prefix, subheadings) of each sample.
SUBHEADINGS = {
    "000": ["Un choix assumé", '"Sur la même longueur d\'onde"'],
    "001": ["S'engager contre Poutine", '"Je combats pour la liberté du peuple russe"'],
    "002": [],
    "003": ["Ignorer les élections", "Une incursion en mai 2023"],
    "004": [
        "Des «pertes colossales» selon cette brigade russe",
        "La contre-offensive ukrainienne en plein essor",
    ],
}


@pytest.mark.parametrize("prefix", sorted(SUBHEADINGS))
def test_subheadings_are_headings(prefix: str) -> None:
    _, article = sample(prefix)
    assert_blocks(article, "heading", *SUBHEADINGS[prefix])


# Every paragraph of each story (its first words): from the lede to the last line.
STORY = {
    "000": [
        "Rien que ce matin",
        "Dans la région du Donbass",
        "Ils donnent peu de détails",
        '"Je ne me bats pas contre ma patrie',
        "Selon les médias russes",
        "Pourtant, des Russes comme Tykhiy",
        "Les forces qui défendent",
        "L'Ukraine réclame le retrait",
        "Confrontée à de graves revers",
    ],
    "001": [
        "Des combattants russes ont choisi de déserter",
        "Ils ont choisi de changer de camp",
        "Présents dans la région de Bakhmout",
        '"Les mauvais Russes ils sont où?',
        "Face à des journalistes",
        '"Je suis inquiet',
        "Un autre raconte",
        "\"Ce que j'ai vu là-bas",
        "Ces images le décident",
        "Mais cet engagement",
        '"Au début, je leur disais',
        "Pointés du doigt",
        '"Je combats non seulement',
        "Ils seraient plus de 500 Russes",
    ],
    "002": [
        "Les combattants qui ont revendiqué",
        "La Légion de la Russie libre, comme",
        "Cela a changé cette semaine",
        "“Il s’agit de la première opération",
        "César, qui a 50 ans",
        "L’implication de l’armée ukrainienne",
        "Un haut responsable ukrainien",
        "Il y a eu des pertes",
        "Jusqu’à récemment",
        "Plusieurs centaines de Russes",
        "Les motivations des Russes",
        "L’adhésion n’est pas facile",
        "Un porte-parole du ministère",
        "Mais César a déclaré",
        "“Le but de l’opération",
    ],
    "003": [
        "La situation se réchauffe",
        "«Nous avons traversé la frontière»",
        "Peu après, l'unité a affirmé",
        "L'armée russe a déclaré avoir repoussé",
        "Le gouverneur russe de la région de Koursk",
        "Une autre unité, appelée le bataillon",
        "Ces attaques interviennent",
        "Cette incursion armée survient",
        "Selon les autorités russes",
        "Le porte-parole du Kremlin",
        "Ce n'est pas la première fois",
        "Deux groupes avaient revendiqué",
        "Selon le New York Times",
    ],
    "004": [
        "Après des difficultés à son lancement",
        "Depuis des semaines",
        "C'est du moins ce que semble indiquer",
        "L'un des hommes lit le texte",
        "Klichtchiïvka a été libérée",
        "Selon les soldats russes dans la vidéo",
        "Selon un rapport des services secrets",
        "Les soldats de cette vidéo",
        "«Le front s'effondre»",
        "L'armée russe tente certes",
    ],
}


@pytest.mark.parametrize("prefix", sorted(STORY))
def test_every_story_paragraph_is_kept_whole(prefix: str) -> None:
    text, article = sample(prefix)
    for start in STORY[prefix]:
        (line,) = [line for line in lines_of(text) if line.startswith(start)] or [
            # the first paragraph of 000 has its date cut off
            line.split("2022-12 ", 1)[1]
            for line in lines_of(text)
            if start in line
        ]
        assert any(b.text == line or b.text.startswith(line) for b in article.blocks), start


def test_quotations_keep_their_attribution_line() -> None:
    _, article = sample("003")
    quotes = [b.text for b in article.blocks if b.kind == "quote"]
    assert any(q.endswith("\nLégion Liberté de la Russie") for q in quotes)
    assert any(q.endswith("\nMinistère russe de la Défense") for q in quotes)


def test_a_paragraph_that_quotes_is_not_a_quotation() -> None:
    _, article = sample("004")
    (block,) = [b for b in article.blocks if b.text.startswith("«Le front s'effondre»")]
    assert block.kind == "paragraph"


# --- Properties of the whole -------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_idempotent(prefix: str) -> None:
    _, article = sample(prefix)
    assert clean(article.body).body == article.body


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_blocks_are_pieces_of_the_input(prefix: str) -> None:
    text, article = sample(prefix)
    assert article.blocks
    for block in article.blocks:
        assert block.text in text


def test_deterministic() -> None:
    text, article = sample("003")
    assert clean(text) == article


def test_hints_from_html_win_over_what_the_text_says() -> None:
    text, _ = sample("004")
    article = clean(text, hints={"title": "T", "date": "2020-01-02T10:00:00", "author": None})
    assert (article.title, article.date, article.author) == ("T", "2020-01-02", "Chiara Schlenz")


def test_a_year_alone_from_html_is_kept() -> None:
    text, _ = sample("003")
    assert clean(text, hints={"date": "2022"}).date == "2022"
