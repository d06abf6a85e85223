"""Split a listing page into its posts, with no per-site rules.

The idea, after MDR and DEPTA: a listing repeats one structure per post, and each
post has a title. So:

1. collect *title candidates*: headings, and long links standing alone;
2. group them by *signature* (their tag path with stable class names), so that the
   ten post titles of a tag page fall in one group and the five "recent posts" of
   its sidebar in another;
3. for each group, find each member's *block*: the largest subtree that holds it and
   no other member. When blocks are bare titles (posts as flat runs of siblings),
   a post is its title plus the siblings up to the next title;
4. score the groups (how many items, how much text, links to distinct permalinks,
   whether they sit in the main column or in chrome) and keep the best, plus any
   other group nearly as good that covers different posts (section fronts with
   several packages).

Field extraction from each block is ``fields.py``'s job; this module only decides
where posts are.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from ..urls import canonical_url, is_http_url, resolve, same_site
from . import rules
from .dom import ClassNames, Document, TextMemo, raw_text

__all__ = ["Item", "Group", "Split", "split"]

_HEADING_SET = frozenset(rules.HEADINGS)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_DIGIT = re.compile(r"\d")


@dataclass(slots=True)
class Item:
    """One post's place on the page: its title node, its link and its region."""

    title: LexborNode
    link: str | None
    nodes: list[LexborNode]


@dataclass(slots=True)
class Group:
    """Title candidates that share a signature, with their blocks and a score."""

    signature: tuple[str, ...]
    members: list[LexborNode]
    blocks: list[LexborNode] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)
    score: float = 0.0
    flat: bool = False
    lca: LexborNode | None = None
    chrome: bool = False
    why: str = ""


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


def _ancestors(node: LexborNode, stop: LexborNode) -> list[LexborNode]:
    """Ancestors from the parent up to (excluding) ``stop``."""
    out = []
    p = node.parent
    stop_id = stop.mem_id
    while p is not None and p.mem_id != stop_id and p.tag not in ("html", "-document"):
        out.append(p)
        p = p.parent
    return out


class _Memo:
    """What one split() call asks again and again of the same nodes (ancestor
    chains, texts, class tokens, resolved links), kept by ``mem_id``. Splitting
    does not change the tree, so the answers stay true for the whole call."""

    __slots__ = ("body", "base", "classes", "text", "_chains", "_parts", "_urls")

    def __init__(self, body: LexborNode, base: str | None, classes: ClassNames, texts: TextMemo) -> None:
        self.body = body
        self.base = base
        self.classes = classes
        self.text = texts  # node_text, remembered
        self._chains: dict[int, list[LexborNode]] = {}
        self._parts: dict[int, str] = {}
        self._urls: dict[str | None, str | None] = {}

    def chain(self, node: LexborNode) -> list[LexborNode]:
        """``_ancestors(node, body)``; callers must not change the list."""
        key = node.mem_id
        chain = self._chains.get(key)
        if chain is None:
            chain = self._chains[key] = _ancestors(node, self.body)
        return chain

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

    def resolve(self, href: str | None) -> str | None:
        """``resolve(base, href)`` against the page's base."""
        if href in self._urls:
            return self._urls[href]
        url = self._urls[href] = resolve(self.base, href)
        return url


def _signature(node: LexborNode, memo: _Memo) -> tuple[str, ...]:
    part = memo.part
    return (part(node), *map(part, memo.chain(node)))


def _text_len(text: str) -> int:
    """Length that counts a CJK character as about three Latin ones."""
    if text.isascii():
        return len(text)
    return len(text) + 2 * len(_CJK.findall(text[:300]))


def _is_title_text(text: str, th: rules.Thresholds) -> bool:
    if len(text) < th.min_title_chars or len(text) > 400:
        return False
    return not rules.NON_TITLE_TEXT.match(text)


def _long_anchor(a: LexborNode, text: str, th: rules.Thresholds, memo: _Memo) -> bool:
    """A bare link that reads like a title: long enough, and alone in its parent."""
    if _text_len(text) < th.long_anchor_chars:
        return False
    if not _CJK.search(text) and len(text.split()) < th.long_anchor_words:
        return False
    parent = a.parent
    if parent is not None:
        ptext = memo.text(parent)
        if ptext and len(text) < 0.5 * len(ptext):
            return False  # a link inside running text
    return True


_TITLE_TOKENS = frozenset({"title", "headline", "entry-title", "post-title", "article-title", "story-title",
                           "card-title", "item-title", "news-title", "blog-title", "heading", "p-name", "u-url"})


def _title_class(node: LexborNode, memo: _Memo) -> bool:
    """Whether the node's class or id names it a title."""
    return bool(memo.tokens(node) & _TITLE_TOKENS)


def _titled(a: LexborNode, memo: _Memo) -> bool:
    """A link that says it is a title, by its own class or its parent's."""
    if _title_class(a, memo):
        return True
    p = a.parent
    return p is not None and _title_class(p, memo) and len(memo.text(p)) <= len(memo.text(a)) + 3


_LINKS_IN_HEADINGS = ", ".join(f"{h} a[href]" for h in rules.HEADINGS)


def _inside_heading(a: LexborNode) -> bool:
    p = a.parent
    for _ in range(4):
        if p is None:
            return False
        if p.tag in _HEADING_SET:
            return True
        p = p.parent
    return False


def _candidates(body: LexborNode, th: rules.Thresholds, memo: _Memo) -> list[tuple[LexborNode, str]]:
    """Title candidates in document order, with their text."""
    out: list[tuple[LexborNode, str]] = []
    seen: set[int] = set()
    # links around a heading (the heading inside is the candidate) and links in a
    # heading (at any depth: a superset of those _inside_heading finds), in one query
    # each rather than by looking around every link
    wrappers = {a.mem_id for a in body.css("a[href]:has(h1, h2, h3, h4, h5, h6)")}
    headed = {a.mem_id for a in body.css(_LINKS_IN_HEADINGS)}
    for node in body.css("h1, h2, h3, h4, h5, h6, a[href]"):
        text = memo.text(node)
        if not _is_title_text(text, th):
            continue
        if node.tag == "a":
            key = node.mem_id
            if key in wrappers or (key in headed and _inside_heading(node)):
                continue
            if not (_titled(node, memo) or _long_anchor(node, text, th, memo)):
                continue
        if node.mem_id not in seen:
            seen.add(node.mem_id)
            out.append((node, text))
    return out


def _title_href(member: LexborNode) -> str | None:
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


def _link_of(member: LexborNode, block: LexborNode, memo: _Memo) -> str | None:
    """The post's permalink: the title's own link, else a link in its block that
    goes where a permalink would (not a tag, author or comments page)."""
    url = memo.resolve(_title_href(member))
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
        if rules.NON_POST_HREF_RE.search(u):
            continue
        return u
    return fallback


def _ink(node: LexborNode) -> int:
    """Characters of visible text, whitespace not counted (indentation is not text)."""
    text = raw_text(node)
    return len(text) - text.count(" ") - text.count("\n")


class _Chrome:
    """Decides whether a node sits in page chrome (nav, sidebar, footer, widgets).

    A class name alone is weak evidence: Blogger puts every post inside a
    ``widget Blog`` and themes name their main column ``right-sidebar``. So an
    ancestor only counts as chrome when it also holds a minor share of the page's
    text: page-wide wrappers are never chrome, whatever they are called."""

    def __init__(self, body: LexborNode, memo: _Memo) -> None:
        self.body = body
        self.body_len = max(1, _ink(body))
        self._len: dict[int, int] = {}
        self._memo = memo

    def _minor(self, node: LexborNode, share: float = 0.4) -> bool:
        n = self._len.get(node.mem_id)
        if n is None:
            n = _ink(node)
            self._len[node.mem_id] = n
        return n < share * self.body_len

    def classify(self, node: LexborNode | None) -> tuple[bool, bool]:
        """(inside a chrome region, inside a main-content region) for a node's ancestry."""
        chrome = main = False
        p = node
        body_id = self.body.mem_id
        while p is not None and p.mem_id != body_id and p.tag not in ("html", "-document"):
            toks = self._memo.tokens(p)
            if p.tag == "main" or p.attributes.get("role") == "main" or toks & rules.MAIN_TOKENS:
                main = True
            if not chrome:
                # <aside>, <nav>, <footer> and a class or id of just "sidebar" say what
                # they are, however big they grow (a tag cloud of 800 links, a column of
                # RSS widgets), unless the page's <main> is inside;
                # <form> and <header> wrap whole pages on some sites, so size counts
                names = self._memo.names(p)
                strong = p.tag in rules.SEMANTIC_CHROME or (
                    bool(names & rules.CHROME_NAMES) and not names & rules.MAIN_NAMES)
                if strong and p.css_first("main, [role=main]") is None:
                    chrome = True
                tagged = p.tag in rules.CHROME_TAGS or (
                    p.tag == "header" and p.css_first("h1, h2, h3, h4, h5, h6") is None)
                # "widget Blog" is Blogger's main column; "widget_recent_entries" a sidebar
                named = bool(toks & rules.CHROME_TOKENS) and not self._memo.names(p) & rules.MAIN_NAMES
                if (tagged and self._minor(p, 0.7)) or (named and self._minor(p)):
                    chrome = True
            p = p.parent
        return chrome, main

    def is_chrome_block(self, node: LexborNode) -> bool:
        return bool(self._memo.tokens(node) & rules.CHROME_TOKENS) and self._minor(node)


def _nested_titles(block: LexborNode, own: str | None, cand_ids: set[int], memo: _Memo) -> int:
    """Headed titles in a block that link to other pages of the same site (a list
    of plain links, like a series' table of contents, and a "top ten" of outside
    links with headings, do not count)."""
    count = 0
    for c in block.css("h1, h2, h3, h4, h5, h6"):
        if c.mem_id not in cand_ids:
            continue
        url = memo.resolve(_title_href(c))
        if url and url.split("#", 1)[0] != (own or "").split("#", 1)[0] and (not own or same_site(url, own)):
            count += 1
    return count


def _own_link(node: LexborNode) -> bool:
    if node.tag == "a" or node.css_first("a[href]") is not None:
        return True
    p = node.parent
    return p is not None and p.tag == "a"


def _drop_kickers(members: list[LexborNode]) -> list[LexborNode]:
    """Drop a linkless heading set right above a linked one of the same kind: a
    columnist's name or a rubric over the headline, not a post of its own."""
    ids = {m.mem_id for m in members}
    out = []
    for m in members:
        nxt = m.next
        while nxt is not None and not nxt.is_element_node:
            nxt = nxt.next
        if nxt is not None and nxt.mem_id in ids and not _own_link(m) and _own_link(nxt):
            continue
        out.append(m)
    return out


def _build(group: Group, body: LexborNode, doc: Document, th: rules.Thresholds, chrome_of: _Chrome,
           cand_ids: set[int], memo: _Memo) -> None:
    """Blocks, links, flatness and score of one group."""
    group.members = _drop_kickers(group.members)
    chains: list[list[LexborNode]] = [memo.chain(m) for m in group.members]
    counts: dict[int, int] = {}
    for chain in chains:
        for a in chain:
            counts[a.mem_id] = counts.get(a.mem_id, 0) + 1
    n = len(group.members)
    # Each member's highest ancestor holding no other member; then one level for
    # all, the most common, so a month with a single post in an archive grouped
    # by month does not swallow the month's heading.
    heights: list[int] = []
    for chain in chains:
        h = 0
        for a in chain:
            if counts[a.mem_id] > 1:
                break
            h += 1
        heights.append(h)
    usual = max(set(heights), key=lambda h: (heights.count(h), -h))
    blocks: list[LexborNode] = []
    for m, chain, h in zip(group.members, chains, heights):
        h = min(h, usual)
        blocks.append(chain[h - 1] if h > 0 else m)
    group.blocks = blocks
    lca = None
    for a in chains[0]:
        if counts[a.mem_id] == n:
            lca = a
            break
    group.lca = lca or body
    group.links = [_link_of(m, b, memo) for m, b in zip(group.members, blocks)]

    titles = [memo.text(m) for m in group.members]
    extra: list[int] = []
    for b, t in zip(blocks, titles):
        bt = memo.text(b)
        extra.append(max(0, _text_len(bt) - _text_len(t)))
    bare = sum(1 for e in extra if e <= th.flat_block_extra_chars)
    # posts as runs of siblings: bare titles, or table rows and dt/dd pairs
    group.flat = (bare >= max(1, math.ceil(0.6 * n)) or blocks[0].tag in ("tr", "dt")) and _siblings_between(blocks)
    if group.flat:
        extra = [_flat_extra_len(b, blocks, memo) for b in blocks]

    distinct = {u for u in group.links if u}
    link_q = 0.35 + 0.65 * (len(distinct) / n)
    site_q = 1.0
    if doc.url:
        off = sum(1 for u in distinct if is_http_url(u) and not same_site(u, doc.url))
        site_q = 1.0 - 0.3 * (off / max(1, len(distinct)))
    nonpost = sum(1 for u in distinct if rules.NON_POST_HREF_RE.search(u))
    link_q *= 1.0 - 0.8 * (nonpost / max(1, len(distinct)))
    if nonpost > 0.5 * len(distinct):
        link_q *= 0.25  # mostly tag, category and author pages: a cloud or a menu
    med_title = sorted(len(t) for t in titles)[n // 2]
    title_q = 1.0 if 8 <= med_title <= 200 else 0.6
    if len(set(titles)) < 0.7 * n:
        title_q *= 0.3  # the same heading again and again ("Share", "Related")
    chrome, main = chrome_of.classify(group.lca)
    if not chrome:
        # the members may sit in several chrome regions (two sidebars) under a page
        # wrapper; or the blocks themselves are marked as chrome (widgets, share boxes)
        step = max(1, n // 6)
        probe = blocks[::step][:6]
        flagged = sum(1 for b in probe if chrome_of.is_chrome_block(b) or chrome_of.classify(b)[0])
        chrome = flagged > len(probe) // 2
    group.chrome = chrome
    # blocks that hold other posts' titles are sections of a front page, not posts
    sample = list(zip(blocks, group.links))[: min(n, 8)]
    nested = sum(_nested_titles(b, own, cand_ids, memo) for b, own in sample) / len(sample)
    nest_q = 1.0 if nested < 1.5 else 0.15
    region_q = 0.15 if chrome else (1.25 if main else 1.0)
    tag0 = group.members[0].tag
    kind_q = (1.2, 1.2, 1.1, 1.0, 0.85, 0.8)[int(tag0[1]) - 1] if tag0 in _HEADING_SET else 1.0
    entry_q = 1.0
    btoks = memo.tokens(blocks[0])
    if blocks[0].tag == "article" or btoks & {"hentry", "h-entry", "post", "entry", "article", "type-post"}:
        entry_q = 1.2
    text_q = sum(1.0 + min(e, 1500) / 250.0 for e in extra)
    group.score = text_q * link_q * site_q * title_q * region_q * kind_q * entry_q * nest_q
    group.why = (
        f"n={n} text={text_q:.1f} link={link_q:.2f} site={site_q:.2f} title={title_q:.2f} "
        f"region={region_q:.2f} kind={kind_q:.2f} entry={entry_q:.2f} nest={nested:.1f} flat={group.flat}"
    )


def _siblings_between(blocks: list[LexborNode]) -> bool:
    """True when most consecutive blocks are siblings with other elements between."""
    if len(blocks) < 2:
        return False
    hits = 0
    for a, b in zip(blocks, blocks[1:]):
        if a.parent is None or b.parent is None or a.parent.mem_id != b.parent.mem_id:
            continue
        nxt = a.next
        while nxt is not None and not nxt.is_element_node:
            nxt = nxt.next
        # other kinds of elements between titles; more items just like them are a list
        if nxt is not None and nxt.mem_id != b.mem_id and (
                nxt.tag != a.tag or nxt.attributes.get("class") != a.attributes.get("class")):
            hits += 1
    return hits >= max(1, (len(blocks) - 1) // 2)


def _flat_extra_len(block: LexborNode, blocks: list[LexborNode], memo: _Memo) -> int:
    total = 0
    stops = {b.mem_id for b in blocks}
    nxt = block.next
    steps = 0
    while nxt is not None and nxt.mem_id not in stops and steps < 200:
        if nxt.is_element_node:
            total += len(memo.text(nxt))
        steps += 1
        nxt = nxt.next
    return total


def _stop_flat(node: LexborNode, title_level: int, memo: _Memo) -> bool:
    """Where the last flat post ends: chrome, a pager, or a section heading."""
    if node.tag in rules.CHROME_TAGS:
        return True
    if memo.tokens(node) & rules.CHROME_TOKENS:
        return True
    if node.tag in _HEADING_SET and int(node.tag[1]) <= title_level:
        return True
    text = memo.text(node)
    if text and len(text) < 300 and rules.CHROME_TEXT_RE.search(text):
        return True
    return False


def _regions(group: Group, th: rules.Thresholds, memo: _Memo) -> list[list[LexborNode]]:
    """Each post's nodes. Flat posts run from their title to the next title; the
    last one has no next title, so it takes only siblings shaped like those the
    other posts have (paragraphs, a meta line, a spacer row), and stops at chrome,
    a pager or a section heading."""
    if not group.flat:
        return [[b] for b in group.blocks]
    stops = {b.mem_id for b in group.blocks}
    title_tag = group.members[0].tag
    level = int(title_tag[1]) if title_tag in _HEADING_SET else 6
    out: list[list[LexborNode]] = []
    last = len(group.blocks) - 1
    shapes: set[tuple[str, str]] = set()
    for i, b in enumerate(group.blocks):
        region = [b]
        nxt = b.next
        while nxt is not None and nxt.mem_id not in stops and len(region) < th.max_flat_siblings:
            if nxt.is_element_node:
                shape = (nxt.tag, nxt.attributes.get("class") or "")
                if i == last:
                    if _stop_flat(nxt, level, memo) or (shapes and shape not in shapes):
                        break
                    if title_tag in _HEADING_SET and nxt.css_first(title_tag) is not None:
                        break
                else:
                    shapes.add(shape)
                region.append(nxt)
            elif nxt.is_text_node and (nxt.text_content or "").strip():
                region.append(nxt)
            nxt = nxt.next
        out.append(region)
    return out


def _contains(outer: LexborNode, inner: LexborNode) -> bool:
    p = inner
    oid = outer.mem_id
    while p is not None:
        if p.mem_id == oid:
            return True
        p = p.parent
    return False


def _overlaps(a: Group, b: Group) -> bool:
    for ba in a.blocks:
        for bb in b.blocks:
            if _contains(ba, bb) or _contains(bb, ba):
                return True
    return False


def _merge_record_variants(groups: list[Group], memo: _Memo) -> list[Group]:
    """Join groups whose signatures differ only in the classes of per-post wrappers.

    ``article.first-article`` and ``article.post.sticky`` are the same listing as
    ``article.post``; a sidebar's ``div.widget`` is not the main column's
    ``div.content``. The test: at every position where the two signatures' classes
    differ, each ancestor there holds exactly one title of the two groups."""
    by_tags: dict[tuple[str, ...], list[Group]] = {}
    for g in groups:
        by_tags.setdefault(tuple(p.split(".", 1)[0] for p in g.signature), []).append(g)
    out: list[Group] = []
    for same in by_tags.values():
        merged = True
        while merged and len(same) > 1:
            merged = False
            for i in range(len(same)):
                for j in range(i + 1, len(same)):
                    a, b = same[i], same[j]
                    if _record_level_variants(a, b, memo):
                        a.members = _doc_order(a.members + b.members)
                        same.pop(j)
                        merged = True
                        break
                if merged:
                    break
        out.extend(same)
    return out


def _doc_order(nodes: list[LexborNode]) -> list[LexborNode]:
    """Nodes sorted in document order (by their path of sibling positions)."""

    def key(n: LexborNode) -> list[int]:
        path = []
        p = n
        while p is not None and p.parent is not None:
            i = 0
            q = p.prev
            while q is not None:
                i += 1
                q = q.prev
            path.append(i)
            p = p.parent
        return path[::-1]

    return sorted(nodes, key=key)


def _record_level_variants(a: Group, b: Group, memo: _Memo) -> bool:
    positions = [i for i, (x, y) in enumerate(zip(a.signature, b.signature)) if x != y]
    if not positions:
        return True
    members = a.members + b.members
    chains = [memo.chain(m) for m in members]
    counts: dict[int, int] = {}
    for chain in chains:
        for node in chain:
            counts[node.mem_id] = counts.get(node.mem_id, 0) + 1
    for pos in positions:
        if pos == 0:
            continue  # the title node itself
        for chain in chains:
            if pos - 1 >= len(chain) or counts[chain[pos - 1].mem_id] != 1:
                return False
    return True


def _url_shape(url: str | None) -> tuple[str, str, int] | None:
    if not url:
        return None
    parts = urlsplit(url)
    segs = [p for p in parts.path.split("/") if p]
    return (parts.netloc.lower(), segs[0] if len(segs) > 1 else "", len(segs))


def _shape_like(shape: tuple[str, str, int] | None, shapes: list[tuple[str, str, int]]) -> bool:
    if shape is None:
        return False
    return any(shape[0] == s[0] and shape[1] == s[1] and abs(shape[2] - s[2]) <= 1 for s in shapes)


def _hero(best: Group, cands: list[tuple[LexborNode, str]], body: LexborNode, chrome_of: _Chrome,
          memo: _Memo) -> list[Item]:
    """A first post set apart with its own markup, just before the listing.

    Shops and news themes show the newest post in full above the others. It is a
    preceding sibling of the first post's block (or of the listing container), holds
    one titled link shaped like the others' permalinks, and is not chrome."""
    shapes = {_url_shape(u) for u in best.links if u}
    if not shapes or best.flat:
        return []
    member_ids = {m.mem_id for m in best.members}
    starts = [best.blocks[0]]
    if best.lca is not None and best.lca.mem_id != body.mem_id:
        starts.append(best.lca)
    for start in starts:
        sib = start.prev
        steps = 0
        while sib is not None and steps < 6:
            steps += 1
            if sib.is_element_node and memo.text(sib):
                inside = [c for c, _ in cands if c.mem_id not in member_ids and _contains(sib, c)]
                heads = [c for c in inside if c.tag in _HEADING_SET]
                if len(heads) == 1 and not chrome_of.is_chrome_block(sib):
                    link = _link_of(heads[0], sib, memo)
                    if link and _url_shape(link) in shapes and link not in best.links:
                        return [Item(title=heads[0], link=link, nodes=[sib])]
                return []  # the nearest non-empty sibling decides
            sib = sib.prev
    return []


def _outer(best: Group, groups: list[Group]) -> Group:
    """Titles come before subheadings: when the best group's members all sit inside
    the posts of another sound group (two or more of them), that group is the
    listing and the best one is the headings inside its posts."""
    inner_links = [u for u in best.links if u]
    for g in groups[1:]:
        if g.chrome or len(g.members) < 2 or sum(map(_own_link, g.members)) < 0.8 * len(g.members):
            continue
        outer_links = [u for u in g.links if u]
        if not outer_links:
            continue
        # subheadings link nowhere, or off the site; post titles link to the site's posts
        if sum(1 for u in inner_links if same_site(u, outer_links[0])) > 0.5 * len(best.members):
            continue
        holders = set()
        for m in best.members:
            holder = next((i for i, b in enumerate(g.blocks) if _contains(b, m)), None)
            if holder is None:
                break
            holders.add(holder)
        else:
            if len(holders) >= 2:
                return g
    return best


@dataclass(slots=True)
class Split:
    """The splitter's answer: posts in page order, or none and why."""

    items: list[Item]
    groups: list[Group]
    reason: str | None = None


def _listing_verdict(best: Group, article: bool) -> str | None:
    """Why the best repeated structure is not a listing's posts (None: it is)."""
    if best.chrome:
        return "the only repeated structures are in navigation, sidebars or footers"
    distinct = {u for u in best.links if u}
    if len(distinct) < 2 and not best.flat:
        return "repeated headings, but they link to no distinct posts"
    if article and len(best.members) < 4 and best.score < 12:
        return "an article page with a short list of related links"
    return None


def _single(cands: list[tuple[LexborNode, str]], body: LexborNode, chrome_of: _Chrome,
            doc: Document, memo: _Memo) -> Item | None:
    """A listing page that shows one post (a blog's last page, a one-post home).

    An article page's title links nowhere or to the page itself; a listing's links
    to the post. So: one linked heading, in a post-like block with text, whose link
    goes elsewhere."""
    here = canonical_url(doc.page_url) if doc.page_url else None
    best: tuple[int, Item] | None = None
    for node, _text in cands:
        if node.tag not in ("h1", "h2", "h3") or not _own_link(node):
            continue
        block = node
        for _ in range(6):
            p = block.parent
            if p is None or p.mem_id == body.mem_id:
                break
            block = p
            if block.tag == "article" or memo.tokens(block) & {"post", "hentry", "h-entry", "entry", "type-post"}:
                break
        else:
            continue
        if not (block.tag == "article" or memo.tokens(block) & {"post", "hentry", "h-entry", "entry", "type-post"}):
            continue
        link = _link_of(node, block, memo)
        if not link or (here and canonical_url(link) == here):
            continue
        if chrome_of.classify(block)[0]:
            continue
        size = _ink(block)
        if size >= 200 and (best is None or size > best[0]):
            best = (size, Item(title=node, link=link, nodes=[block]))
    return best[1] if best else None


def split(doc: Document, th: rules.Thresholds | None = None, *, article: bool = False,
          texts: TextMemo | None = None) -> Split:
    """The posts of a listing page, in page order, with the groups considered (for
    ``scraper inspect``). ``article``: the page says it is an article (og:type,
    JSON-LD, body class), which makes a short repeated list count for less.
    ``texts``: node texts already read off this (unchanged) page, to share."""
    th = th or rules.Thresholds()
    body = doc.body
    if body is None:
        return Split([], [], "the document has no body")
    memo = _Memo(body, doc.base_url, doc.classes, texts or TextMemo())
    cands = _candidates(body, th, memo)
    by_sig: dict[tuple[str, ...], Group] = {}
    for node, _text in cands:
        sig = _signature(node, memo)
        g = by_sig.get(sig)
        if g is None:
            by_sig[sig] = Group(signature=sig, members=[node])
        else:
            g.members.append(node)
    groups = [g for g in _merge_record_variants(list(by_sig.values()), memo) if len(g.members) >= th.min_posts]
    chrome_of = _Chrome(body, memo)
    cand_ids = {c.mem_id for c, _ in cands}
    for g in groups:
        _build(g, body, doc, th, chrome_of, cand_ids, memo)
    groups = [g for g in groups if len(g.members) >= th.min_posts]
    # a sidebar or footer never beats the page body by sheer number of items: the
    # body's best group wins unless it is next to nothing beside the chrome's
    groups.sort(key=lambda g: g.score, reverse=True)
    body_best = next((g for g in groups if not g.chrome), None)
    if groups and groups[0].chrome and body_best is not None and body_best.score >= max(5.0, 0.1 * groups[0].score):
        groups.remove(body_best)
        groups.insert(0, body_best)
    reason = _listing_verdict(groups[0], article) if groups else "no repeated post structure found"
    if reason is not None:
        one = None if article else _single(cands, body, chrome_of, doc, memo)
        return Split([one] if one else [], groups, None if one else reason)
    best = _outer(groups[0], groups)
    chosen = [best]
    seen_links = {u for u in best.links if u}
    shapes = [s for s in (_url_shape(u) for u in seen_links) if s]
    for g in groups[1:]:
        if g.score < th.merge_score_ratio * best.score:
            break
        if g.chrome:
            continue
        links = {u for u in g.links if u}
        if not links or len(links & seen_links) > 0.3 * len(links):
            continue
        alike = sum(1 for u in links if _shape_like(_url_shape(u), shapes))
        if alike < 0.8 * len(links):
            continue  # rubric and section links, not more posts
        if any(_overlaps(g, c) for c in chosen):
            continue
        chosen.append(g)
        seen_links |= links
    items: list[Item] = _hero(best, cands, body, chrome_of, memo)
    for g in chosen:
        for m, link, region in zip(g.members, g.links, _regions(g, th, memo)):
            items.append(Item(title=m, link=link, nodes=region))
    if len(chosen) > 1:
        order = {n.mem_id: i for i, n in enumerate(body.traverse())}
        items.sort(key=lambda it: order.get(it.title.mem_id, 0))
    # the same permalink twice (a hero and its repeat): keep the first
    out: list[Item] = []
    seen: set[str] = set()
    for it in items:
        if it.link and it.link in seen:
            continue
        if it.link:
            seen.add(it.link)
        out.append(it)
    return Split(out, groups)
