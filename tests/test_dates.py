"""Dates: the generated month table, and what find_date reads in several languages."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from scraper.parse.dates import find_date, month_names_from_dateparser
from scraper.parse.month_names import MONTH_NAMES


@pytest.mark.skipif(importlib.util.find_spec("dateparser") is None, reason="dateparser is not installed")
def test_month_table_matches_dateparser() -> None:
    fresh = month_names_from_dateparser()
    assert list(fresh.items()) == list(MONTH_NAMES.items()), (
        "scraper/parse/month_names.py is out of date with the installed dateparser: regenerate it with "
        "python -c \"from scraper.parse.dates import write_month_names as w; w('scraper/parse/month_names.py')\"")


@pytest.mark.parametrize(("text", "expected"), [
    ("11 April, 2011 Posted by: -", "2011-04-11"),
    ("Publié le 3 mars 2020", "2020-03-03"),
    ("am 5. Dezember 2019 um 10:30", "2019-12-05T10:30"),
    ("12 de enero de 2021", "2021-01-12"),
    ("Sat Oct 01 2022", "2022-10-01"),
    ("2 листопада 2018", "2018-11-02"),
    ("posted yesterday", None),
    ("March 19 - 20, 2016  Dulles Expo Center", "2016-03-19"),  # a range gives its first day
    ("3 - 5 May 2016", "2016-05-03"),
    ("12-14 de marzo de 2016", "2016-03-12"),
    ("Vol. 10 - 5 May 2016", "2016-05-05"),  # not a range: 10 is after 5
    ("8月 19, 2025", "2025-08-19"),  # "F j, Y" in a Japanese or Chinese locale
    ("2025年8月19日", "2025-08-19"),
    ("admin 30 mins ago 1 576", None),  # "ago" is also Spanish for August
    ("I&A5 et PIP6 - avril 2023", None),  # no day of its own
    ("24.04.2023 dans News", "2023-04-24"),
    ("21 يونيو، 2020", "2020-06-21"),  # Arabic, with its own comma
    ("14 נוב׳ 2022", "2022-11-14"),
    ("Sunday November 13th, 2011", "2011-11-13"),  # "day" ends the weekday: not "3 days ago"
    ("نوامبر 22, 2018", "2018-11-22"),  # Persian script, Gregorian month
])
def test_find_date_reads_named_months(text: str, expected: str | None) -> None:
    assert find_date(text, dayfirst=True, default_year=2022) == expected  # (a year for dates printed without one)


def test_parsing_does_not_import_dateparser() -> None:
    """Importing dateparser costs a one-off `scraper parse` some 60 ms."""
    code = ("import sys; from scraper.api import parse_html; "
            "parse_html('<h2><a href=/a>A first post title</a></h2><p>3 May 2020</p>', 'https://x.org/'); "
            "print('dateparser' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
