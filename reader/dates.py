"""Find publication dates in page furniture and write them as ISO 8601."""

from __future__ import annotations

import re

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv januar jän jänner enero ene gennaio gen janeiro styczeń stycznia "
        "januari januar",
        "february feb février févr fevrier februar febrero febbraio fevereiro fev luty lutego "
        "februari",
        "march mar mars märz maerz marzo março marco marca marzec maart",
        "april apr avril abril aprile kwiecień kwietnia",
        "may mai mayo maggio maio maj maja mei",
        "june jun juin juni junio giugno junho czerwiec czerwca",
        "july jul juillet juil juli julio luglio julho lipiec lipca",
        "august aug août aout agosto ago sierpień sierpnia augustus",
        "september sep sept septembre septiembre setiembre settembre setembro set wrzesień "
        "września",
        "october oct octobre oktober okt octubre ottobre outubro out październik października",
        "november nov novembre noviembre novembro listopad listopada",
        "december dec décembre decembre dezember dez diciembre dic dicembre dezembro grudzień "
        "grudnia",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS.setdefault(_name, _number)

_MONTH_NAMES = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))


def _month(n: int) -> str:
    return rf"(?P<month{n}>{_MONTH_NAMES})\.?"


def _year(n: int) -> str:
    return rf"(?P<year{n}>(?:19|20)\d\d)"


def _day(n: int) -> str:
    return rf"(?P<day{n}>[0-3]?\d)(?:st|nd|rd|th|er|\.|º)?"


_ANY_YEAR = re.compile(r"(?:19|20)\d\d")  # every form holds a year: a cheap first test

# The forms of a date, tried left to right in one pass (the earliest date in a text wins).
_DATE = re.compile(
    "|".join(
        (
            # 2024-03-12, 2024/03/12, 2024-03 (a lone year-month, as in "date 2022-12")
            rf"(?<!\d){_year(1)}[-/.](?P<mnum>[01]?\d)(?:[-/.](?P<dnum>[0-3]?\d))?(?![\d/])",
            # 12.03.2024, 12/03/2024, 12-03-2024 (day first unless that cannot be)
            rf"(?<!\d)(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[0-3]?\d)(?P=sep){_year(2)}(?!\d)",
            # 12 mars 2024, 12. März 2024, 12 de marzo de 2024
            rf"(?<!\w){_day(3)}\s*(?:de\s+)?{_month(3)}\s*(?:de\s+|,\s*)?{_year(3)}(?!\d)",
            # March 12, 2024
            rf"(?<!\w){_month(4)}\s+{_day(4)},?\s+{_year(4)}(?!\d)",
            # March 2024, mars 2024
            rf"(?<!\w){_month(5)}\s+(?:de\s+)?{_year(5)}(?!\d)",
        )
    ),
    re.IGNORECASE,
)


def _iso(year: int, month: int, day: int | None) -> str | None:
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def find_date(text: str, *, month_first: bool = False) -> tuple[str, int, int] | None:
    """The first date in `text` as (ISO string, start, end), or None.

    Numeric dates are read day first (12.03.2024), or month first where `month_first` is set
    (English pages), the separator is a slash and both readings are possible.
    """
    if _ANY_YEAR.search(text) is None:
        return None
    for m in _DATE.finditer(text):
        iso = _from_match(m, month_first)
        if iso is not None:
            return iso, m.start(), m.end()
    return None


def _from_match(m: re.Match[str], month_first: bool) -> str | None:
    g = m.groupdict()
    if g["mnum"] is not None:
        return _iso(int(g["year1"]), int(g["mnum"]), int(g["dnum"]) if g["dnum"] else None)
    if g["a"] is not None:
        a, b = int(g["a"]), int(g["b"])
        us_style = month_first and g["sep"] == "/"  # 03/12/2024 is March 12 in English
        if (us_style and a <= 12 and 1 <= b <= 31) or (b > 12 and a <= 12):
            a, b = b, a
        return _iso(int(g["year2"]), b, a)
    for n in (3, 4, 5):
        name = g[f"month{n}"]
        if name is not None:
            month = _MONTHS.get(name.lower().rstrip("."))
            day = g.get(f"day{n}")
            if month is None:
                return None
            return _iso(int(g[f"year{n}"]), month, int(day) if day else None)
    return None


_ISO_PREFIX = re.compile(r"\s*((?:19|20)\d\d)(?:-([01]\d)(?:-([0-3]\d))?)?(?![\d-])")


def normalise(value: str | None) -> str | None:
    """A date from metadata as ISO 8601: "2024-03-12T08:30+01:00" -> "2024-03-12", "2022"
    stays "2022", "12 mars 2024" -> "2024-03-12"; None when there is none."""
    if not value:
        return None
    m = _ISO_PREFIX.match(value)
    if m is not None:
        year, month, day = m.groups()
        if month is None:
            return year
        iso = _iso(int(year), int(month), int(day) if day else None)
        if iso is not None:
            return iso
    found = find_date(value)
    return found[0] if found else None
