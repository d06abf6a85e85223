"""Meta readers: the cheap word tests that let them skip a region must never skip
one their patterns would match."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.parse import rules
from scraper.parse.dom import ClassNames
from scraper.parse.meta import _BYLINE_IN_LINE, _BYLINE_WORDS, _COMMENT_WORDS, comment_count
from scraper.parse.region import Region

# pieces of the patterns' words, in odd cases and with the letters re matches
# case-blind but str.lower() does not ("ı", "İ", "ſ", the Kelvin sign)
_TRICKY = ["ı", "İ", "ſ", "\u212a", "I", "S", "K", " ", "\n", "3", "(", ":", "|"]
_WORD_SAMPLES = ["Comments", "COMMENTAIRES", "respuestas", "Replies", "comentarıos", "kommentti", "Reacties",
                 "komentáře", "komentarzy", "комментариев", "コメント", "评论", "yorumlar", "hozzászólás",
                 "reſponſes", "\u212aommentar", "No comments yet", "posted by", "Written BY", "Author:", "Por",
                 "von", "par", "BY", "ıby"]


def _texts() -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(_WORD_SAMPLES), st.sampled_from(_TRICKY), st.text(max_size=3))
    return st.lists(piece, max_size=8).map("".join)


def _region(text: str) -> Region:
    """A one-paragraph region holding ``text`` (as the page's text nodes hold it)."""
    tree = LexborHTMLParser("<div><p></p></div>")
    p = tree.css_first("p")
    assert p is not None
    p.insert_child(text)
    div = tree.css_first("div")
    assert div is not None
    return Region([div], ClassNames())


@settings(max_examples=600, deadline=None)
@given(_texts())
def test_comment_words_cover_every_count_the_patterns_read(text: str) -> None:
    if comment_count(text) is not None or rules.COMMENT_COUNT_RE.search(text):
        assert _region(text).mentions_word(_COMMENT_WORDS), text


@settings(max_examples=600, deadline=None)
@given(_texts())
def test_byline_words_cover_every_byline_the_pattern_reads(text: str) -> None:
    if _BYLINE_IN_LINE.search(text):
        assert _region(text).mentions_word(_BYLINE_WORDS), text


def test_case_blind_letters_are_folded() -> None:
    assert _region("REſPONſES: 3").mentions_word(("responses",))
    assert _region("COMENTARİOS (2)").mentions_word(("comentario",))
    assert _region("yorumlar ıle").mentions_word(("ile",))
    assert not _region("nothing here").mentions_word(_COMMENT_WORDS)

