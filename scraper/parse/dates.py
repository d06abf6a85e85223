"""Dates as listings print them, in many languages, to ISO 8601.

A date alone gives ``YYYY-MM-DD``; a date with a time gives ``YYYY-MM-DDTHH:MM[:SS]``
plus the offset when the page states one. The local date is kept as printed (no
conversion to UTC), because that is the date readers see. Relative dates ("yesterday",
"gestern", "3 hours ago") give None: they depend on when the page was served.

Month names come from dateparser's CLDR-derived tables, generated into
``month_names.py``.
"""

from __future__ import annotations

import re
from datetime import date as _date
from functools import lru_cache

__all__ = ["parse_date", "parse_iso", "find_date"]

# Languages whose month names are recognised (dateparser data module names).
LANGUAGES = (
    "en", "fr", "de", "es", "it", "pt", "nl", "ru", "uk", "pl", "cs", "sk", "sv", "nb", "da", "fi",
    "tr", "ro", "hu", "hr", "sl", "sr", "bg", "el", "ca", "eu", "gl", "et", "lv", "lt", "id", "ms",
    "vi", "is", "ga", "cy", "ar", "he", "fa",
)
MIN_YEAR, MAX_YEAR = 1990, 2100

_ISO_RE = re.compile(
    r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
_YMD_RE = re.compile(r"(?<!\d)(\d{4})\s*[./年]\s*(\d{1,2})\s*[./月]\s*(\d{1,2})(?:\s*日)?(?!\d)")
# "8月 19, 2025": a CJK month number with an English-style day and year (WordPress's
# "F j, Y" format in a Chinese or Japanese locale)
_MDY_CJK_RE = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*,\s*(\d{4})(?!\d)")
_DMY_RE = re.compile(r"(?<![\d.])(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\d])")
_TIME_RE = re.compile(
    r"^\s*(?:[-–,@|·•]|\bat\b|\bum\b|\bà\b|\ba\s+las\b|\balle\b|\bв\b)?\s*(\d{1,2})[:h.](\d{2})(?::(\d{2}))?\s*([ap]\.?\s?m\.?)?(?![\d])",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_TZ_RE = re.compile(r"^\s*(?:GMT|UTC)?\s*([+-]\d{2}):?(\d{2})")
_RELATIVE_RE = re.compile(
    r"\b(?:ago|yesterday|today|hours?|minutes?|gestern|heute|vor\s+\d|hier|aujourd|il\s+y\s+a|ayer|hoy|hace|ieri|oggi|fa\b|"
    r"вчера|сегодня|назад|wczoraj|dzisiaj|temu|včera|dnes|gisteren|vandaag|geleden|昨日|今日|前|昨天|今天)",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _month_table() -> tuple[re.Pattern[str], dict[str, int]]:
    """Month name -> number for every language in LANGUAGES, and one regex of them all."""
    from .month_names import MONTH_NAMES

    return re.compile(rf"(?<!\w)({_month_alternation(MONTH_NAMES)})\.?(?!\w)", re.IGNORECASE), MONTH_NAMES


def month_names_from_dateparser() -> dict[str, int]:
    """Month name -> number for LANGUAGES as dateparser's CLDR-derived tables give
    them: what ``month_names.py`` holds, built from the installed dateparser
    (importing it costs a one-off ``scraper parse`` some 60 ms, so the parser reads
    the generated module instead). A name two months share goes to the first
    language's month, as LANGUAGES orders them; the order is kept (the regex built
    from the names depends on it)."""
    import importlib

    names: dict[str, int] = {}
    keys = ("january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december")
    for lang in LANGUAGES:
        try:
            info = importlib.import_module(f"dateparser.data.date_translation_data.{lang}").info
        except (ImportError, AttributeError):
            continue
        for number, key in enumerate(keys, start=1):
            for word in info.get(key, ()):
                word = word.lower().rstrip(".")
                if len(word) >= 3 and not word.isdigit():
                    names.setdefault(word, number)
    return names


def write_month_names(path: str) -> None:
    """Regenerate ``month_names.py`` from the installed dateparser."""
    names = list(month_names_from_dateparser().items())
    lines = ['"""Month names of dates.LANGUAGES, generated from dateparser\'s CLDR-derived tables',
             "(BSD-3-Clause; CLDR data under the Unicode licence) by",
             "``scraper.parse.dates.write_month_names(path)``. Do not edit; regenerate.", '"""', "",
             "MONTH_NAMES: dict[str, int] = {"]
    for i in range(0, len(names), 8):
        lines.append("    " + " ".join(f"{w!r}: {n}," for w, n in names[i:i + 8]))
    lines.append("}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def _month_alternation(names: dict[str, int]) -> str:
    """The month names as one alternation, longest first, grouped by first letter.

    A flat alternation of some 800 names makes the regex engine try every name at
    every word. Grouped, each group's first letter is tested once (the engine
    factors a prefix that all branches share) and matching is about ten times
    faster. The matches are the same: names in different groups never match at
    the same place, because their first letters never match the same character
    (letters that do, such as "σ" and "ς", are put in one group), and within a
    group the longest-first order is kept."""
    ordered = sorted(names, key=lambda w: len(re.escape(w)), reverse=True)
    groups: list[list[str]] = []  # first letters that match each other ignoring case
    for letter in dict.fromkeys(w[0] for w in ordered):
        for group in groups:
            if re.fullmatch(re.escape(group[0]), letter, re.IGNORECASE):
                group.append(letter)
                break
        else:
            groups.append([letter])
    branches = []
    for group in groups:
        members = [re.escape(w) for w in ordered if w[0] in group]
        branches.append("(?:" + "|".join(members) + ")")
    return "|".join(branches)


def _valid(y: int, m: int, d: int) -> bool:
    if not (MIN_YEAR <= y <= MAX_YEAR and 1 <= m <= 12):
        return False
    try:
        _date(y, m, d)
    except ValueError:
        return False
    return True


def _fmt(y: int, m: int, d: int, rest: str) -> str:
    """ISO date, plus a time when one follows the date directly."""
    out = f"{y:04d}-{m:02d}-{d:02d}"
    t = _TIME_RE.match(rest)
    if not t:
        return out
    hh, mm = int(t.group(1)), int(t.group(2))
    ampm = (t.group(4) or "").replace(".", "").replace(" ", "").lower()
    if ampm == "pm" and hh < 12:
        hh += 12
    elif ampm == "am" and hh == 12:
        hh = 0
    if hh > 23 or mm > 59:
        return out
    out += f"T{hh:02d}:{mm:02d}"
    if t.group(3):
        out += f":{int(t.group(3)):02d}"
    tz = _TZ_RE.match(rest[t.end():])
    if tz:
        out += f"{tz.group(1)}:{tz.group(2)}"
    return out


def parse_iso(value: str | None) -> str | None:
    """A machine-readable date (``datetime`` attribute, JSON-LD) to ISO 8601."""
    if not value:
        return None
    m = _ISO_RE.search(value)
    if not m:
        return find_date(value)
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not _valid(y, mo, d):
        return None
    out = f"{y:04d}-{mo:02d}-{d:02d}"
    if m.group(4) is not None:
        out += f"T{int(m.group(4)):02d}:{m.group(5)}"
        if m.group(6):
            out += f":{m.group(6)}"
        tz = m.group(7)
        if tz:
            out += "Z" if tz == "Z" else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
    return out


def _year(s: str | None) -> int | None:
    if not s:
        return None
    y = int(s)
    return y + 2000 if y < 100 else y


def find_date(text: str | None, *, dayfirst: bool = True, default_year: int | None = None) -> str | None:
    """The first absolute date in a short text, or None.

    ``dayfirst`` settles 03/04/2011 (True: 3 April); an unambiguous order wins
    regardless. ``default_year`` completes dates printed without a year."""
    if not text:
        return None
    text = text[:400]
    if not _DIGIT.search(text):
        return None  # every form below needs a digit (a named month needs its day)
    best: tuple[int, str] | None = None

    def offer(pos: int, value: str | None) -> None:
        nonlocal best
        if value and (best is None or pos < best[0]):
            best = (pos, value)

    m = _ISO_RE.search(text)
    if m:
        offer(m.start(), parse_iso(m.group(0)))
    m = _YMD_RE.search(text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if _valid(y, mo, d):
            offer(m.start(), _fmt(y, mo, d, text[m.end():]))
    m = _MDY_CJK_RE.search(text)
    if m:
        y, mo, d = int(m.group(3)), int(m.group(1)), int(m.group(2))
        if _valid(y, mo, d):
            offer(m.start(), _fmt(y, mo, d, text[m.end():]))
    m = _DMY_RE.search(text)
    if m:
        a, b = int(m.group(1)), int(m.group(3))
        printed_year = _year(m.group(4))
        if printed_year is not None:
            y = printed_year
            # 11.04.2011 and 11-04-2011 are day-first everywhere; 04/11/2011 depends
            day_first = dayfirst or m.group(2) in ".-"
            if a > 12 or (day_first and b <= 12):
                d, mo = a, b
            else:
                mo, d = a, b
            if _valid(y, mo, d):
                offer(m.start(), _fmt(y, mo, d, text[m.end():]))
    if best is None or best[0] > 0:
        offer_named = _named_date(text, default_year)
        if offer_named:
            offer(*offer_named)
    if best is None:
        return None
    return best[1]


# (a day number is a word of its own: "PIP6 - avril 2023" names no 6th of April)
_DAY_BEFORE = re.compile(r"(?<![^\W\d_])(\d{1,2})(?:st|nd|rd|th|er|e|º|ª|\.)?\s*(?:de\s+|of\s+|/\s*|-\s*)?$",
                         re.IGNORECASE)
# "30 mins ago": the Spanish "ago" (agosto) after a unit of time is English "ago"
_UNIT_BEFORE = re.compile(r"(?<![^\W\d_])(?:secs?|seconds?|mins?|minutes?|hrs?|hours?|days?|weeks?|months?|years?)\s*$",
                          re.IGNORECASE)  # (a word of its own: "Sunday November 13th" is a date)
_DAY_AFTER = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)?(?!\d)\s*(?:,\s*)?", re.IGNORECASE)
_DAY_RANGE_START = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|\.)?\s*[-–—]\s*$")
_DAY_RANGE_END = re.compile(r"^\s*[-–—]\s*(\d{1,2})(?!\d)(?:st|nd|rd|th)?\s*,?")
_YEAR_AFTER = re.compile(r"^\s*(?:,|،|de|del|of|/|-|\.)?\s*(\d{4})(?:\s*(?:г\.?|года|year|r\.?))?(?!\d)", re.IGNORECASE)


def _named_date(text: str, default_year: int | None) -> tuple[int, str] | None:
    pattern, names = _month_table()
    for m in pattern.finditer(text):
        month = names.get(m.group(1).lower().rstrip("."))
        if month is None:
            continue
        before, after = text[: m.start()], text[m.end():]
        if _UNIT_BEFORE.search(before):
            continue
        day = year = None
        start = m.start()
        end_rest = after
        db = _DAY_BEFORE.search(before)
        if db:
            day, start = int(db.group(1)), db.start()
            ds = _DAY_RANGE_START.search(before, 0, db.start())  # "3 - 5 May 2016": the 3rd
            if ds and int(ds.group(1)) < day:
                day, start = int(ds.group(1)), ds.start()
            ya = _YEAR_AFTER.match(after)
            if ya:
                year, end_rest = int(ya.group(1)), after[ya.end():]
        else:
            da = _DAY_AFTER.match(after)
            if da:
                day = int(da.group(1))
                rest = after[da.end():]
                dr = _DAY_RANGE_END.match(rest)  # "March 19 - 20, 2016": the range starts the 19th
                if dr and int(dr.group(1)) > day:
                    rest = rest[dr.end():]
                ya = _YEAR_AFTER.match(rest)
                if ya:
                    year, end_rest = int(ya.group(1)), rest[ya.end():]
                else:
                    # "Sat Oct 01 2022": year after a space, no comma
                    ya2 = re.match(r"^\s*(\d{4})(?!\d)", rest)
                    if ya2:
                        year, end_rest = int(ya2.group(1)), rest[ya2.end():]
                    else:
                        end_rest = rest
        if day is None:
            continue
        if year is None:
            yb = re.search(r"(\d{4})\s*[,.]?\s*$", before[: (db.start() if db else len(before))])
            if yb:
                year = int(yb.group(1))
            elif default_year:
                year = default_year
            else:
                continue
        if _valid(year, month, day):
            return start, _fmt(year, month, day, end_rest)
    return None


def parse_date(text: str | None, *, dayfirst: bool = True, default_year: int | None = None) -> str | None:
    """Parse a date string as printed; None for relative or unparseable dates."""
    if not text:
        return None
    text = " ".join(text.split())
    found = find_date(text, dayfirst=dayfirst, default_year=default_year)
    if found is None and _RELATIVE_RE.search(text):
        return None
    return found
