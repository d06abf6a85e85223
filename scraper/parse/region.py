"""One post's region, walked once.

Field extraction asks many questions of the same few dozen elements (which ones
carry a date class, which short lines read like a byline, which hold a comment
count). Walking the region and re-reading each element's text and class for every
question cost more than everything else in parsing, so the region is walked once
here and each element's text and class tokens are computed on first use.

A ``Region`` describes the tree as it was when it was built: build it before any
node of the region is removed, and drop it afterwards.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from .dom import ClassNames, elements_of, node_text, norm, raw_text

__all__ = ["Region", "BELOW_P_DIV", "BELOW_P_DIV_LI", "BELOW_BLOCK"]

# has_descendant(n, "p, div"), (..., "li") and (..., "li, h1, ... h6") as levels:
# an element "has a block below at level L" when some descendant's level is <= L.
BELOW_P_DIV, BELOW_P_DIV_LI, BELOW_BLOCK = 0, 1, 2
_LEVEL = {"p": 0, "div": 0, "li": 1, "h1": 2, "h2": 2, "h3": 2, "h4": 2, "h5": 2, "h6": 2}
_NONE_BELOW = 3
# what re.IGNORECASE matches to "i" and "s" beyond str.lower()'s mapping
_CASE_BLIND = {ord("ı"): "i", ord("ſ"): "s", 0x307: None}


class Region:
    """The elements under a post's region nodes, in document order (each region
    node first, then its descendants), with per-element facts cached by index."""

    __slots__ = ("els", "tags", "attrs", "ids", "roots", "root_ids", "names", "tokens", "_raw", "_text", "_below",
                 "_index", "_lower")

    def __init__(self, nodes: list[LexborNode], classes: ClassNames) -> None:
        els: list[LexborNode] = []
        roots: list[int] = []
        for n in nodes:
            if n.is_element_node:
                roots.append(len(els))
                els.extend(elements_of(n))
        self.els = els
        self.roots = roots
        self.tags: list[str | None] = [e.tag for e in els]
        self.attrs: list[dict[str, str | None]] = [e.attributes for e in els]
        self.ids: list[int] = [e.mem_id for e in els]
        self.root_ids: set[int] = {self.ids[i] for i in roots}
        size = len(els)
        self._raw: list[str | None] = [None] * size
        self._text: list[str | None] = [None] * size
        named = [classes.of(a) for a in self.attrs]
        # per element: whole class names and id (``classes_of(n).split()``), and ``tokens_of(n)``
        self.names: list[frozenset[str]] = [n for n, _ in named]
        self.tokens: list[frozenset[str]] = [t for _, t in named]
        self._below: list[int] | None = None
        self._index: dict[int, int] | None = None
        self._lower: str | None = None

    def __len__(self) -> int:
        return len(self.els)

    def spans(self) -> list[tuple[int, int]]:
        """(first, end) indexes of each region node's subtree."""
        ends = self.roots[1:] + [len(self.els)]
        return list(zip(self.roots, ends))

    def raw(self, i: int) -> str:
        """Element text as Lexbor gives it (block marks and all)."""
        t = self._raw[i]
        if t is None:
            t = self._raw[i] = raw_text(self.els[i])
        return t

    def text(self, i: int) -> str:
        """Element text, whitespace collapsed: ``dom.node_text``."""
        t = self._text[i]
        if t is None:
            t = self._text[i] = norm(self.raw(i))
        return t

    def index(self) -> dict[int, int]:
        """Position of each element, by ``mem_id``."""
        index = self._index
        if index is None:
            index = self._index = {mem: i for i, mem in enumerate(self.ids)}
        return index

    def node_text(self, node: LexborNode) -> str:
        """``dom.node_text(node)``, from the cache when the node is in the region."""
        i = self.index().get(node.mem_id)
        return self.text(i) if i is not None else node_text(node)

    def below(self) -> list[int]:
        """Per element, the lowest level of block below it: ``has_descendant(el,
        sel)`` for the block selectors named by a level L is ``below[i] <= L``,
        answered for every element at once by marking the ancestors of each block."""
        below = self._below
        if below is None:
            below = self._below = self._block_levels()
        return below

    def _block_levels(self) -> list[int]:
        index = self.index()
        low = [_NONE_BELOW] * len(self.els)
        for i, tag in enumerate(self.tags):
            lvl = _LEVEL.get(tag or "")
            if lvl is None:
                continue
            p = self.els[i].parent
            while p is not None:
                j = index.get(p.mem_id)
                # outside the region, or already marked as low (and so are its ancestors)
                if j is None or low[j] <= lvl:
                    break
                low[j] = lvl
                p = p.parent
        return low

    def mentions(self, pattern: re.Pattern[str]) -> bool:
        """Whether the pattern occurs in a region node's text. Every element's text
        is a piece of its region node's: a character absent from these is absent
        from all of them."""
        return any(pattern.search(self.raw(i)) for i in self.roots)

    def mentions_word(self, words: tuple[str, ...]) -> bool:
        """Whether a region node's text holds one of these lower-case words where a
        case-blind pattern would find it: a substring test is several times faster.
        The pattern also takes "ı" and "İ" for "i" and "ſ" for "s", which lower()
        leaves alone (or makes "i" plus a combining dot): those are folded first."""
        low = self._lower
        if low is None:
            low = "\n".join(self.raw(i) for i in self.roots).lower()
            if not low.isascii() and ("ı" in low or "ſ" in low or "\u0307" in low):
                low = low.translate(_CASE_BLIND)  # (rare: translate walks every character)
            self._lower = low
        for w in words:  # a loop: a generator's overhead is most of the cost here
            if w in low:
                return True
        return False
