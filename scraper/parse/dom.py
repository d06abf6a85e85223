"""Load an HTML document with selectolax (Lexbor) and prepare it for splitting.

Preparation happens once per page, in C where possible: drop scripts and other
non-content, drop what the page hides, and put line breaks after block elements so
that ``node.text()`` keeps paragraphs apart ("a</p><p>b" must not read "ab").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..charset import decode_html
from ..errors import ParseError
from ..urls import is_http_url, resolve
from . import rules

__all__ = ["Document", "ClassNames", "TextMemo", "load", "norm", "node_text", "classes_of", "class_or_id_containing",
           "tokens_of",
           "tokens_of_string", "attr", "has_descendant", "elements_of", "raw_text"]

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TOKEN_SPLIT = re.compile(r"[^a-z]+")
BLOCK_MARK = "\n\n"


def norm(text: str | None) -> str:
    """Collapse all whitespace to single spaces and strip.

    ``str.split()`` and the regex ``\\s`` agree on what whitespace is (both are
    ``str.isspace``), and splitting is several times faster than substituting."""
    return " ".join(text.split()) if text else ""


def raw_text(node: LexborNode) -> str:
    """All the text below a node, as is: ``node.text(deep=True, separator="",
    strip=False)``. Lexbor's own text_content gives the same string, faster."""
    return node.text_lexbor()


def node_text(node: LexborNode) -> str:
    """Visible text of a node, whitespace collapsed."""
    return norm(node.text_lexbor())


class TextMemo:
    """``node_text`` by ``mem_id``, for the readers of a page that leave it as it is
    (the splitter, the next-page finder): they read the same links' text."""

    __slots__ = ("_texts",)

    def __init__(self) -> None:
        self._texts: dict[int, str] = {}

    def __call__(self, node: LexborNode) -> str:
        key = node.mem_id
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = node_text(node)
        return text


def elements_of(node: LexborNode) -> list[LexborNode]:
    """``node.css("*")``: the node and the elements below it, in document order.
    A walk is three times faster than the query (and does not set up the selector
    engine of a parser that has none yet)."""
    return [n for n in node.traverse() if n.is_element_node]


def class_or_id_containing(*words: str) -> str:
    """A selector for the elements whose class or id holds one of the words, ASCII
    letters compared ignoring case: a superset of those whose ``tokens_of`` holds a
    name with one of the words in it, found by one query instead of a look at every
    element's classes."""
    return ", ".join(f"[{a}*={w} i]" for a in ("class", "id") for w in words)


def has_descendant(node: LexborNode, selector: str) -> bool:
    """True when an element *below* ``node`` matches; Lexbor's ``css`` also
    matches the node itself, which is not what "contains" means."""
    own = node.mem_id
    return any(m.mem_id != own for m in node.css(selector))


def attr(node: LexborNode, name: str) -> str | None:
    value = node.attributes.get(name)
    return value if value else None


def classes_of(node: LexborNode) -> str:
    """class and id of a node, lower-cased, as one string."""
    a = node.attributes
    return f"{a.get('class') or ''} {a.get('id') or ''}".lower()


def tokens_of(node: LexborNode) -> set[str]:
    """Word tokens of class and id ("post-meta entry_date" -> post, meta, entry, date)
    plus the whole hyphenated class names."""
    return tokens_of_string(classes_of(node))[1]


# Per-post taxonomy classes (WordPress's category-slideshow, tag-kanye-west) hold
# arbitrary words: their pieces say nothing about the element's role.
_TAXONOMY = ("category-", "tag-", "format-", "status-", "type-", "author-", "postid-")


def tokens_of_string(raw: str) -> tuple[set[str], set[str]]:
    """(whole names, ``tokens_of``) of a lower-cased "class id" string."""
    names = set(raw.split())
    out = set(names)
    for name in names:
        if not name.startswith(_TAXONOMY):
            out.update(t for t in _TOKEN_SPLIT.split(name) if t)
    return names, out


_NO_NAMES: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


class ClassNames:
    """``(set(classes_of(n).split()), tokens_of(n))`` from a node's attributes,
    remembered for one page: its posts repeat their template's class names."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[tuple[str | None, str | None], tuple[frozenset[str], frozenset[str]]] = {}

    def of(self, attrs: dict[str, str | None]) -> tuple[frozenset[str], frozenset[str]]:
        cls, ident = attrs.get("class"), attrs.get("id")
        if not cls and not ident:
            return _NO_NAMES
        key = (cls, ident)
        hit = self._seen.get(key)
        if hit is None:
            names, tokens = tokens_of_string(f"{cls or ''} {ident or ''}".lower())
            hit = self._seen[key] = (frozenset(names), frozenset(tokens))
        return hit


@dataclass(slots=True)
class Document:
    """A parsed page and what was read off it before cleaning."""

    tree: LexborHTMLParser
    url: str | None
    lang: str | None
    base: str | None
    canonical: str | None
    title: str | None
    head_meta: dict[str, str] = field(default_factory=dict)
    json_ld: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    link_next: str | None = None
    classes: ClassNames = field(default_factory=ClassNames, repr=False, compare=False)

    @property
    def body(self) -> LexborNode | None:
        return self.tree.body

    @property
    def page_url(self) -> str | None:
        """The page's address: as given, else its absolute canonical or og:url."""
        if self.url:
            return self.url
        for cand in (self.canonical, self.head_meta.get("og:url")):
            if cand and is_http_url(cand.strip()):
                return cand.strip()
        return None

    @property
    def base_url(self) -> str | None:
        """What relative links resolve against: ``<base href>`` over the page URL."""
        page = self.page_url
        if self.base:
            return resolve(page, self.base) if page else (self.base if is_http_url(self.base) else None)
        return page


def _read_head(tree: LexborHTMLParser) -> dict[str, object]:
    meta: dict[str, str] = {}
    for m in tree.css("meta[content]"):
        a = m.attributes
        key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
        if key and key not in meta:
            meta[key] = a.get("content") or ""
    canonical = base = link_next = None
    feeds: list[str] = []
    for link in tree.css("link[href]"):
        a = link.attributes
        rel = (a.get("rel") or "").lower().split()
        href = (a.get("href") or "").strip()
        if "canonical" in rel and canonical is None:
            canonical = href
        elif "next" in rel and link_next is None:
            link_next = href
        elif "alternate" in rel and (a.get("type") or "").lower() in (
            "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"
        ):
            feeds.append(href)
    b = tree.css_first("base[href]")
    if b is not None:
        base = (b.attributes.get("href") or "").strip() or None
    json_ld = [s.text(deep=True) for s in tree.css('script[type="application/ld+json"]')]
    html = tree.css_first("html")
    lang = (html.attributes.get("lang") or "").strip().lower() if html is not None else ""
    title_node = tree.css_first("title")
    return dict(
        meta=meta, canonical=canonical or None, base=base, link_next=link_next or None, feeds=feeds,
        json_ld=json_ld, lang=lang or meta.get("og:locale", "").lower() or None,
        title=norm(title_node.text()) if title_node is not None else None,
    )


# What follows an element: a blank line after a block, a line break after <br>, a
# space after a table cell.
_MARKS = {**{tag: BLOCK_MARK for tag in rules.BLOCK_TAGS}, "br": "\n", "td": " ", "th": " "}
_MARKED = ", ".join(_MARKS)
_DROPPED = ", ".join(rules.DROP_TAGS)
_HIDDEN_CLASS = frozenset({"hidden", "d-none", "is-hidden"})


def _inside(node: LexborNode, ids: dict[int, LexborNode], stop: set[int] | frozenset[int]) -> bool:
    p = node.parent
    while p is not None and p.mem_id not in stop:
        if p.mem_id in ids:
            return True
        p = p.parent
    return False


def decompose_outermost(nodes: list[LexborNode], keep: set[int] | frozenset[int] = frozenset()) -> None:
    """Remove nodes (but those in ``keep``), outermost only. Nesting is settled
    before anything is removed: a node inside a removed one went with it, memory
    and all, and must not be touched again; Lexbor may also list a node twice.
    Nodes kept are where the look for an enclosing removed node stops: a post's
    region nodes, which hold all the nodes taken out of it."""
    chosen = {n.mem_id: n for n in nodes if n.mem_id not in keep}
    for node in [n for n in chosen.values() if not _inside(n, chosen, keep)]:
        node.decompose()


def _clean(tree: LexborHTMLParser) -> None:
    """Remove non-content and hidden elements; mark block ends with blank lines.

    One query each for what is dropped and what is marked (a walk of the tree per
    tag name costs more): each element gets one mark, so the order in which they
    are put in does not matter, and an element dropped inside another dropped one
    is only taken out of a subtree that is already out."""
    for node in tree.css(_DROPPED):
        node.decompose(recursive=False)
    hidden: dict[int, LexborNode] = {}
    for node in tree.css("[hidden], [aria-hidden=true], [style*=none], [style*=hidden], template, "
                         "[class~=hidden], [class~=d-none], [class~=is-hidden]"):
        if node.mem_id in hidden:
            continue  # Lexbor lists a node once per selector it matches
        attrs = node.attributes
        if node.tag == "template" or "hidden" in attrs:
            hidden[node.mem_id] = node
        elif _HIDDEN_CLASS.intersection((attrs.get("class") or "").split()):
            # the class names CSS frameworks hide an element with; but a page wrapper
            # hidden until its scripts run ("<div id=page class=hidden>") holds the page's <main>
            if node.tag not in ("html", "body") and node.css_first("main, [role=main]") is None:
                hidden[node.mem_id] = node
        elif attrs.get("aria-hidden") == "true":
            # icons and decorative duplicates; keep large hidden blocks that JS reveals,
            # and a date shown to the eye while a screen reader gets another copy
            if len(node.text(deep=True)) < 200 and "date" not in (attrs.get("class") or "").lower():
                hidden[node.mem_id] = node
        elif _HIDDEN_STYLE.search(attrs.get("style") or ""):
            hidden[node.mem_id] = node
    decompose_outermost(list(hidden.values()))
    body = tree.body
    if body is None:
        return
    for node in body.css(_MARKED):
        node.insert_after(_MARKS[node.tag or ""])  # (the query finds only tags _MARKS has)


def load(data: str | bytes, url: str | None = None, *, charset: str | None = None) -> Document:
    """Parse and prepare a page. Bytes are decoded with ``charset`` (from the HTTP
    header, if known), then the page's own ``<meta>``, then detection."""
    if isinstance(data, bytes):
        text, _ = decode_html(data, charset)
    else:
        text = data
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        tree = LexborHTMLParser(text)
    except Exception as exc:  # selectolax raises bare errors on pathological input
        raise ParseError(f"could not parse HTML: {exc}") from exc
    head = _read_head(tree)
    _clean(tree)
    return Document(
        tree=tree,
        url=url,
        lang=head["lang"],  # type: ignore[arg-type]
        base=head["base"],  # type: ignore[arg-type]
        canonical=head["canonical"],  # type: ignore[arg-type]
        title=head["title"],  # type: ignore[arg-type]
        head_meta=head["meta"],  # type: ignore[arg-type]
        json_ld=head["json_ld"],  # type: ignore[arg-type]
        feeds=head["feeds"],  # type: ignore[arg-type]
        link_next=head["link_next"],  # type: ignore[arg-type]
    )
