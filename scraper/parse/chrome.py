"""Page chrome: navigation, sidebars, footers and widgets around the posts."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from . import rules
from .candidates import Memo
from .dom import raw_text

__all__ = ["Chrome", "ink"]

_WIDGET_TOKENS = frozenset({"widget", "widgets", "widgetarea", "widget-area"})


def ink(node: LexborNode) -> int:
    """Characters of visible text, whitespace not counted (indentation is not text)."""
    text = raw_text(node)
    return len(text) - text.count(" ") - text.count("\n")


_CONTROL_WORDS = frozenset({"pagination", "pager", "pagenav", "search"})


def _holds_headings_not_inputs(node: LexborNode) -> bool:
    return node.css_first("h2, h3, h4") is not None and node.css_first("input, select, textarea") is None


class Chrome:
    """Decides whether a node sits in page chrome (nav, sidebar, footer, widgets).

    A class name alone is weak evidence: Blogger puts every post inside a
    ``widget Blog`` and themes name their main column ``right-sidebar``. So an
    ancestor only counts as chrome when it also holds a minor share of the page's
    text: page-wide wrappers are never chrome, whatever they are called."""

    def __init__(self, body: LexborNode, memo: Memo) -> None:
        self.body = body
        self.body_len = max(1, ink(body))
        self._len: dict[int, int] = {}
        self._verdicts: dict[int, tuple[bool, bool]] = {}
        self._in_main: dict[int, bool] = {}  # whether the node is in (or is) the page's <main>
        self._memo = memo

    def _minor(self, node: LexborNode, share: float = 0.4) -> bool:
        n = self._len.get(node.mem_id)
        if n is None:
            n = ink(node)
            self._len[node.mem_id] = n
        return n < share * self.body_len

    def classify(self, node: LexborNode | None) -> tuple[bool, bool]:
        """(inside a chrome region, inside a main-content region) for a node's ancestry.

        The answer for a node is its own verdict or its parent's answer, so each
        answer is kept: the groups of a page share most of their ancestry."""
        path: list[LexborNode] = []
        known: tuple[bool, bool] | None = None
        p = node
        body_id = self.body.mem_id
        while p is not None and p.mem_id != body_id and p.tag not in ("html", "-document"):
            known = self._verdicts.get(p.mem_id)
            if known is not None:
                break
            path.append(p)
            p = p.parent
        chrome, main = known or (False, False)
        in_main = known is not None and p is not None and self._in_main.get(p.mem_id, False)
        for q in reversed(path):
            c, m, own_main = self._own_verdict(q, in_main)
            chrome, main, in_main = chrome or c, main or m, in_main or own_main
            self._verdicts[q.mem_id] = (chrome, main)
            self._in_main[q.mem_id] = in_main
        return chrome, main

    def _own_verdict(self, p: LexborNode, in_main: bool) -> tuple[bool, bool, bool]:
        """(chrome, main, the page's <main>) as the node itself says. ``in_main``:
        an ancestor is the page's <main> (or role=main), where a widget area is
        how the theme builds its content (a home page of featured-post widgets),
        not a sidebar; related posts, menus and share boxes there stay chrome."""
        toks = self._memo.tokens(p)
        names = self._memo.names(p)
        own_main = p.tag == "main" or p.attributes.get("role") == "main"
        main = own_main or bool(toks & rules.MAIN_TOKENS)
        # <aside>, <nav>, <footer> and a class or id of just "sidebar" say what they
        # are, however big they grow (a tag cloud of 800 links, a column of RSS
        # widgets), unless the page's <main> is inside;
        chrome_names = names & rules.CHROME_NAMES
        if in_main:
            chrome_names -= _WIDGET_TOKENS
        strong = p.tag in rules.SEMANTIC_CHROME or (bool(chrome_names) and not names & rules.MAIN_NAMES)
        if strong and p.css_first("main, [role=main]") is None:
            return True, main, own_main
        # <form> and <header> wrap whole pages on some sites, so size counts;
        # "widget Blog" is Blogger's main column, "widget_recent_entries" a sidebar
        tagged = p.tag in rules.CHROME_TAGS or (p.tag == "header" and p.css_first("h1, h2, h3, h4, h5, h6") is None)
        chromish = self._chromish(p, toks, in_main)
        named = bool(chromish) and not names & rules.MAIN_NAMES and not (in_main and chromish <= _WIDGET_TOKENS)
        return (tagged and self._minor(p, 0.7)) or (named and self._minor(p)), main, own_main

    def _chromish(self, node: LexborNode, toks: frozenset[str], in_main: bool) -> frozenset[str]:
        """The node's chrome words. A list word ("recent-post-item") is dropped in the
        page's <main> when the node's parent holds most of the page's text: that
        list is the page's content, not a widget beside it."""
        chromish = toks & rules.CHROME_TOKENS
        if chromish and in_main and chromish <= rules.LIST_WORDS:
            parent = node.parent
            if parent is not None and not self._minor(parent, 0.5):
                return frozenset()
        if chromish & _CONTROL_WORDS and chromish <= _CONTROL_WORDS | {"nav"} and _holds_headings_not_inputs(node):
            # "jeg_pagination_nav_1", "to-search-items": a block of titled posts named for
            # how it pages or what it lists; a pager or a search box holds no headings
            return frozenset()
        return chromish

    def is_chrome_block(self, node: LexborNode) -> bool:
        """Whether a post block names itself chrome (a widget, a share box). Asked
        after ``classify(node)``, which knows whether the node is in <main>."""
        in_main = self._in_main.get(node.mem_id, False)
        return bool(self._chromish(node, self._memo.tokens(node), in_main)) and self._minor(node)
