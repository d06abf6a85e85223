"""Bytes to text: declared charsets, lying headers, and UTF-8 pages with stray bytes."""

from __future__ import annotations

from scraper.charset import decode_html

_RU = "Решение городских проблем: " * 20


def test_declared_utf8_with_one_stray_latin1_byte_stays_utf8() -> None:
    body = ("<meta charset=utf-8><p>Número de parte, café, crème brûlée</p>" * 20).encode("utf-8")
    data = body + b"<p>\xa9 2016</p>"
    text, codec = decode_html(data)
    assert codec == "utf-8"
    assert "Número" in text and "NĂşmero" not in text
    assert text.count("\ufffd") == 1


def test_undeclared_utf8_with_a_stray_byte_is_not_guessed_away() -> None:
    data = ("<p>Gödel, Escher, Bach — ein Endloses Geflochtenes Band</p>" * 30).encode("utf-8") + b"\x96"
    text, codec = decode_html(data)
    assert codec == "utf-8" and "Gödel" in text


def test_a_windows_1251_page_is_not_read_as_broken_utf8() -> None:
    data = f"<html><body><p>{_RU}</p></body></html>".encode("cp1251")
    text, codec = decode_html(data, "utf-8")  # the header lies
    assert "Решение" in text and codec != "utf-8"


def test_meta_charset_wins_over_guessing() -> None:
    data = f'<meta charset="windows-1251"><p>{_RU}</p>'.encode("cp1251")
    text, codec = decode_html(data)
    assert codec == "cp1251" and "городских" in text


def test_a_real_replacement_character_is_not_counted_as_damage() -> None:
    data = ("<p>\ufffd marks a lost character; é</p>" * 50).encode("utf-8") + b"\xff"
    text, codec = decode_html(data)
    assert codec == "utf-8" and text.count("\ufffd") == 51
