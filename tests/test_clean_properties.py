"""Properties of the cleaner on any text: no crash, no invented text, idempotent, dates read."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import dates, lang
from reader.clean import clean
from reader.library import normalize_newlines, sanitize

# Words of several languages, furniture words, dates and marks: the stuff pages are made of.
VOCABULARY = (
    "le la les de des et un une est dans pour qui the of and to in is that for with der die "
    "das und ist nicht mit von el los en que por con una Guerre Ukraine Kiev Poutine Berlin "
    "Share Teilen Partager Comments Kommentare Newsletter Cookies Photo: © AFP By Von Par "
    "2024-03-12 12.03.2024 15:13 1/6 0:47 58523 | « » “ ” \" ' - — … . , ; : ! ? ( ) 👇"
).split()


def _line(words: list[str]) -> str:
    return " ".join(words)


LINES = st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=40).map(_line)
PAGES = st.lists(st.one_of(LINES, st.just(""), st.text(max_size=80)), min_size=0, max_size=40).map(
    "\n".join
)
ANY_TEXT = st.one_of(PAGES, st.text(max_size=2000))


def normalised(raw: str) -> str:
    """What the library hands the cleaner: newlines normalised, control characters replaced."""
    return sanitize(normalize_newlines(raw))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_never_crashes_and_never_invents_text(raw: str) -> None:
    text = normalised(raw)
    article = clean(text)
    for block in article.blocks:
        assert block.text
        assert block.text in text
        assert block.kind in ("paragraph", "heading", "quote")
    for value in (article.title, article.author, article.source):
        assert value is None or value in text
    assert article.date is None or dates.normalise(article.date) == article.date


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_cleaning_a_cleaned_body_changes_nothing(raw: str) -> None:
    body = clean(normalised(raw)).body
    assert clean(body).body == body


@settings(max_examples=100, deadline=None)
@given(ANY_TEXT)
def test_deterministic(raw: str) -> None:
    text = normalised(raw)
    assert clean(text) == clean(text)


def test_language_detection() -> None:
    samples = {
        "en": "The government said on Monday that the new rules would come into force next year.",
        "de": "Die Regierung hat am Montag gesagt, dass die neuen Regeln im nächsten Jahr gelten.",
        "fr": "Le gouvernement a déclaré lundi que les nouvelles règles entreront en vigueur.",
        "es": "El gobierno dijo el lunes que las nuevas normas entrarán en vigor el próximo año.",
    }
    for code, sentence in samples.items():
        assert lang.detect(lang.WORD.findall(sentence.lower())) == code
    assert lang.detect(["xyz", "qqq"]) is None


def test_dates_in_many_forms() -> None:
    cases = {
        "date 2022-12 Rien": "2022-12",
        "12.03.2024, 15:1313.03.2024, 08:12": "2024-03-12",
        "Publié: 16.09.2023 à 14:31 heures": "2023-09-16",
        "Posted on April 22, 2022": "2022-04-22",
        "Stand: 20. April 2020, 14:57 Uhr": "2020-04-20",
        "viernes 29 de abril de 2022": "2022-04-29",
        "Actualizado: 29/4/2022 - 12:00 am": "2022-04-29",
        "März 2021": "2021-03",
        "03/25/2024": "2024-03-25",
    }
    for text, iso in cases.items():
        found = dates.find_date(text)
        assert found is not None and found[0] == iso, text
    assert dates.find_date("Fünf HR-Trends 2023") is None  # a year alone is not a date
    assert dates.find_date("2024-13-40") is None
    assert dates.find_date("03/12/2024", month_first=True) == ("2024-03-12", 0, 10)
    assert dates.find_date("03/12/2024") == ("2024-12-03", 0, 10)
