"""Title candidates of a listing page, and what the splitter asks of nodes.

Headings, and links that read like titles, with their signatures (tag path with
stable class names) and their permalinks; plus a per-page memo so that ancestor
chains, class names and texts are read once."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from ..urls import resolve
from . import rules
from .dom import ClassNames, TextMemo, class_or_id_containing

__all__ = ["HEADING_SET", "Memo", "candidates", "contains", "link_of", "own_link", "signature",
           "text_len", "title_href"]

HEADING_SET = frozenset(rules.HEADINGS)
_DIGIT = re.compile(r"\d")


def _stable_classes(node: LexborNode) -> str:
    cls = node.attributes.get("class")
    if not cls:
        return ""
    keep = []
    for tok in cls.lower().split():
        if _DIGIT.search(tok) or tok in rules.VOLATILE_CLASSES or tok.startswith(rules.VOLATILE_CLASS_PREFIXES):
            continue
        if ":" in tok or "[" in tok:  # utility-CSS variants (lg:px-0, w-[30px])
            continue
        keep.append(tok)
    keep.sort()
    return ".".join(keep[:3])


class Memo:
    """What one split() call asks again and again of the same nodes (ancestor
    chains, texts, class tokens, resolved links), kept by ``mem_id``. Splitting
    does not change the tree, so the answers stay true for the whole call."""

    __slots__ = ("body", "base", "classes", "text", "_chains", "_up", "_parts", "_urls", "_title_urls")

    def __init__(self, body: LexborNode, base: str | None, classes: ClassNames, texts: TextMemo) -> None:
        self.body = body
        self.base = base
        self.classes = classes
        self.text = texts  # node_text, remembered
        # per node: its ancestors and their signature parts; per ancestor: the same
        # with itself in front
        self._chains: dict[int, tuple[list[LexborNode], tuple[str, ...]]] = {}
        self._up: dict[int, tuple[list[LexborNode], tuple[str, ...]]] = {}
        self._parts: dict[int, str] = {}
        self._urls: dict[str | None, str | None] = {}
        self._title_urls: dict[int, str | None] = {}

    def chain(self, node: LexborNode) -> list[LexborNode]:
        """The node's ancestors, from its parent up to (not including) the body;
        callers must not change the list."""
        return self._above(node)[0]

    def signature(self, node: LexborNode) -> tuple[str, ...]:
        """The parts of the node and of its ancestors up to the body."""
        return (self.part(node), *self._above(node)[1])

    def _above(self, node: LexborNode) -> tuple[list[LexborNode], tuple[str, ...]]:
        """(ancestors, their parts) of a node. Titles of one listing share most of
        their ancestry, so each ancestor's own answer is kept and the walk up stops
        at the first ancestor already seen."""
        key = node.mem_id
        hit = self._chains.get(key)
        if hit is not None:
            return hit
        path: list[LexborNode] = []
        known: tuple[list[LexborNode], tuple[str, ...]] = ([], ())
        stop_id = self.body.mem_id
        p = node.parent
        while p is not None and p.mem_id != stop_id and p.tag not in ("html", "-document"):
            seen = self._up.get(p.mem_id)
            if seen is not None:
                known = seen
                break
            path.append(p)
            p = p.parent
        chain, parts = known
        for q in reversed(path):
            chain, parts = [q, *chain], (self.part(q), *parts)
            self._up[q.mem_id] = (chain, parts)
        self._chains[key] = (chain, parts)
        return chain, parts

    def part(self, node: LexborNode) -> str:
        """One step of a signature: tag and stable classes."""
        key = node.mem_id
        part = self._parts.get(key)
        if part is None:
            part = self._parts[key] = f"{node.tag}.{_stable_classes(node)}"
        return part

    def tokens(self, node: LexborNode) -> frozenset[str]:
        """``tokens_of(node)``."""
        return self.classes.of(node.attributes)[1]

    def names(self, node: LexborNode) -> frozenset[str]:
        """``set(classes_of(node).split())``."""
        return self.classes.of(node.attributes)[0]

    def title_url(self, node: LexborNode) -> str | None:
        """``resolve(base, title_href(node))``: asked of one heading by every group
        whose blocks hold it."""
        key = node.mem_id
        if key in self._title_urls:
            return self._title_urls[key]
        url = self._title_urls[key] = self.resolve(title_href(node))
        return url

    def resolve(self, href: str | None) -> str | None:
        """``resolve(base, href)`` against the page's base."""
        if href in self._urls:
            return self._urls[href]
        url = self._urls[href] = resolve(self.base, href)
        return url


def signature(node: LexborNode, memo: Memo) -> tuple[str, ...]:
    return memo.signature(node)


def text_len(text: str) -> int:
    """Length that counts a CJK character as about three Latin ones."""
    if text.isascii():
        return len(text)
    return len(text) + 2 * len(rules.CJK_RE.findall(text[:300]))


def _is_title_text(text: str, th: rules.Thresholds) -> bool:
    if len(text) < th.min_title_chars or len(text) > 400:
        return False
    return not rules.NON_TITLE_TEXT.match(text)


def _long_anchor(a: LexborNode, text: str, th: rules.Thresholds, memo: Memo) -> bool:
    """A bare link that reads like a title: long enough, and alone in its parent."""
    if text_len(text) < th.long_anchor_chars:
        return False
    if not rules.CJK_RE.search(text) and len(text.split()) < th.long_anchor_words:
        return False
    parent = a.parent
    if parent is not None:
        ptext = memo.text(parent)
        if ptext and len(text) < 0.5 * len(ptext):
            return False  # a link inside running text
    return True


def _title_holders(body: LexborNode) -> set[int]:
    """The links around a title-named element ("<a><time/><div class=item-title>"),
    found from those elements up (one query) rather than by a query per link."""
    holders: set[int] = set()
    for n in body.css(_TITLE_INSIDE_LINK):
        p = n.parent
        while p is not None and p.tag != "a":
            p = p.parent
        if p is not None:
            holders.add(p.mem_id)
    return holders


def _alone_in_dd(a: LexborNode, text: str, memo: Memo) -> bool:
    """A link that is all of its <dd>: an archive list's entry ("<dt>date</dt>
    <dd><a>title</a></dd>"), however short the title."""
    parent = a.parent
    return parent is not None and parent.tag == "dd" and memo.text(parent) == text


_TITLE_TOKENS = frozenset({"title", "headline", "entry-title", "post-title", "article-title", "story-title",
                           "card-title", "item-title", "news-title", "blog-title", "heading", "p-name", "u-url"})


# Every name in _TITLE_TOKENS holds one of these words, so an element whose class
# or id holds none of them (ASCII case ignored, as str.lower() does for these
# letters) cannot be title-classed: one query finds the few that may be.
_TITLE_SUPERSET = class_or_id_containing("title", "headline", "heading", "p-name", "u-url")


def _title_class(node: LexborNode, memo: Memo, maybe: set[int]) -> bool:
    """Whether the node's class or id names it a title. ``maybe``: the ``mem_id``
    of every element that could be (from _TITLE_SUPERSET)."""
    return node.mem_id in maybe and bool(memo.tokens(node) & _TITLE_TOKENS)


def _titled(a: LexborNode, memo: Memo, maybe: set[int]) -> bool:
    """A link that says it is a title, by its own class or its parent's."""
    if _title_class(a, memo, maybe):
        return True
    p = a.parent
    return p is not None and _title_class(p, memo, maybe) and len(memo.text(p)) <= len(memo.text(a)) + 3


_TITLE_INSIDE_LINK = ", ".join(f"a[href] {sel}" for sel in _TITLE_SUPERSET.split(", "))


def _holds_title(a: LexborNode, memo: Memo) -> bool:
    """Whether a title-named element inside the link names a title (the query's
    superset also finds "subtitle-less" names that ``_TITLE_TOKENS`` refuses)."""
    return any(memo.tokens(n) & _TITLE_TOKENS for n in a.css(_TITLE_SUPERSET) if n.mem_id != a.mem_id)


_LINKS_IN_HEADINGS = ", ".join(f"{h} a[href]" for h in rules.HEADINGS)


def _inside_heading(a: LexborNode) -> bool:
    p = a.parent
    for _ in range(4):
        if p is None:
            return False
        if p.tag in HEADING_SET:
            return True
        p = p.parent
    return False


def candidates(body: LexborNode, th: rules.Thresholds, memo: Memo,
               weak: list[LexborNode] | None = None, order: dict[int, int] | None = None
               ) -> list[tuple[LexborNode, str]]:
    """Title candidates in document order, with their text.

    ``weak``, when given, gets the links that read like titles but are too short or
    too crowded to be one alone ("Vue 3", a title beside its tag links): they may
    join a group that other titles of their shape formed. ``order`` gets every
    candidate's and weak link's place in the page."""
    out: list[tuple[LexborNode, str]] = []
    seen: set[int] = set()
    # links around a heading (the heading inside is the candidate) and links in a
    # heading (at any depth: a superset of those _inside_heading finds), in one query
    # each rather than by looking around every link
    wrappers = {a.mem_id for a in body.css("a[href]:has(h1, h2, h3, h4, h5, h6)")}
    headed = {a.mem_id for a in body.css(_LINKS_IN_HEADINGS)}
    maybe_titled = {n.mem_id for n in body.css(_TITLE_SUPERSET)}
    holders = _title_holders(body) if maybe_titled else set()
    for pos, node in enumerate(body.css("h1, h2, h3, h4, h5, h6, a[href]")):
        text = memo.text(node)
        if not _is_title_text(text, th):
            continue
        if order is not None:
            order[node.mem_id] = pos
        if node.tag == "a":
            key = node.mem_id
            if key in wrappers or (key in headed and _inside_heading(node)):
                continue
            if not (_titled(node, memo, maybe_titled) or _long_anchor(node, text, th, memo)
                    or _alone_in_dd(node, text, memo) or (key in holders and _holds_title(node, memo))):
                if weak is not None:
                    weak.append(node)
                continue
        if node.mem_id not in seen:
            seen.add(node.mem_id)
            out.append((node, text))
    return out


def title_href(member: LexborNode) -> str | None:
    """The href of a title's own link: the anchor itself, inside it, or around it."""
    if member.tag == "a":
        return member.attributes.get("href")
    a = member.css_first("a[href]")
    if a is not None:
        return a.attributes.get("href")
    p = member.parent
    for _ in range(3):
        if p is None:
            break
        if p.tag == "a" and p.attributes.get("href"):
            return p.attributes.get("href")
        p = p.parent
    return None


def link_of(member: LexborNode, block: LexborNode, memo: Memo) -> str | None:
    """The post's permalink: the title's own link, else a link in its block that
    goes where a permalink would (not a tag, author or comments page)."""
    url = memo.title_url(member)
    if url and not url.startswith("#"):
        return url
    # overlay links, "read more" links, comment links: take the first permalink-ish one
    fallback = None
    for a in block.css("a[href]"):
        u = memo.resolve(a.attributes.get("href"))
        if not u:
            continue
        rel = (a.attributes.get("rel") or "").lower()
        if "tag" in rel or "author" in rel or "category" in rel:
            continue
        if rules.COMMENT_HREF_RE.search(u):
            if fallback is None:
                fallback = u.split("#", 1)[0]
            continue
        if rules.non_post_url(u):
            continue
        return u
    return fallback



def own_link(node: LexborNode) -> bool:
    """Whether a heading links: itself, inside, or by a link around it (a whole
    card is often one link, a few levels up), as ``title_href`` reads it."""
    if node.tag == "a" or node.css_first("a[href]") is not None:
        return True
    p = node.parent
    for _ in range(3):
        if p is None:
            return False
        if p.tag == "a":
            return True
        p = p.parent
    return False



def contains(outer: LexborNode, inner: LexborNode) -> bool:
    p: LexborNode | None = inner
    oid = outer.mem_id
    while p is not None:
        if p.mem_id == oid:
            return True
        p = p.parent
    return False
