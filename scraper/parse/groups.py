"""Groups of title candidates: their blocks, flatness, score and regions.

A group is the titles that share a signature; each member's block is the largest
subtree holding no other member; a group's score weighs items, text, distinct
permalinks, and where on the page it sits."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from ..urls import is_http_url, same_site, same_site_or_both_relative
from . import rules
from .candidates import (
    HEADING_SET,
    Memo,
    contains,
    link_of,
    own_link,
    text_len,
)
from .chrome import Chrome
from .dom import Document

__all__ = ["Item", "Group", "build_group", "regions", "overlaps", "merge_record_variants"]


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
    extra: int = 0  # median characters a block shows beside its title (date, excerpt)
    main: bool = False  # inside the page's main content (<main>, role=main, a main-named region)


def _nested_titles(block: LexborNode, own: str | None, cand_ids: set[int], memo: Memo) -> int:
    """Headed titles in a block that link to other pages of the same site (a list
    of plain links, like a series' table of contents, and a "top ten" of outside
    links with headings, do not count)."""
    count = 0
    for c in block.css("h1, h2, h3, h4, h5, h6"):
        if c.mem_id not in cand_ids:
            continue
        url = memo.title_url(c)
        if url and url.split("#", 1)[0] != (own or "").split("#", 1)[0] and (not own or same_site_or_both_relative(url, own)):
            count += 1
    return count


def _drop_kickers(members: list[LexborNode]) -> list[LexborNode]:
    """Drop a linkless heading set right above a linked one of the same kind: a
    columnist's name or a rubric over the headline, not a post of its own."""
    ids = {m.mem_id for m in members}
    out = []
    for m in members:
        nxt = m.next
        while nxt is not None and not nxt.is_element_node:
            nxt = nxt.next
        if nxt is not None and nxt.mem_id in ids and not own_link(m) and own_link(nxt):
            continue
        out.append(m)
    return out


def build_group(group: Group, body: LexborNode, doc: Document, th: rules.Thresholds, chrome_of: Chrome,
           cand_ids: set[int], memo: Memo) -> None:
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
    group.links = [link_of(m, b, memo) for m, b in zip(group.members, blocks)]

    titles = [memo.text(m) for m in group.members]
    extra: list[int] = []
    for b, t in zip(blocks, titles):
        bt = memo.text(b)
        extra.append(max(0, text_len(bt) - text_len(t)))
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
    nonpost = sum(1 for u in distinct if rules.non_post_url(u))
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
        flagged = sum(1 for b in probe if chrome_of.classify(b)[0] or chrome_of.is_chrome_block(b))
        chrome = flagged > len(probe) // 2
    group.chrome = chrome
    group.main = main and not chrome
    # blocks that hold other posts' titles are sections of a front page, not posts
    sample = list(zip(blocks, group.links))[: min(n, 8)]
    nested = sum(_nested_titles(b, own, cand_ids, memo) for b, own in sample) / len(sample)
    nest_q = 1.0 if nested < 1.5 else 0.15
    region_q = 0.15 if chrome else (1.25 if main else 1.0)
    tag0 = group.members[0].tag
    kind_q = (1.2, 1.2, 1.1, 1.0, 0.85, 0.8)[int(tag0[1]) - 1] if tag0 in HEADING_SET else 1.0
    entry_q = 1.0
    btoks = memo.tokens(blocks[0])
    if blocks[0].tag == "article" or btoks & {"hentry", "h-entry", "post", "entry", "article", "type-post"}:
        entry_q = 1.2
    text_q = sum(1.0 + min(e, 1500) / 250.0 for e in extra)
    group.extra = sorted(extra)[n // 2]
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


def _flat_extra_len(block: LexborNode, blocks: list[LexborNode], memo: Memo) -> int:
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


def _stop_flat(node: LexborNode, title_level: int, memo: Memo) -> bool:
    """Where the last flat post ends: chrome, a pager, or a section heading."""
    if node.tag in rules.CHROME_TAGS:
        return True
    if memo.tokens(node) & rules.CHROME_TOKENS:
        return True
    if node.tag in HEADING_SET and int(node.tag[1]) <= title_level:
        return True
    text = memo.text(node)
    if text and len(text) < 300 and rules.CHROME_TEXT_RE.search(text):
        return True
    return False


def regions(group: Group, th: rules.Thresholds, memo: Memo) -> list[list[LexborNode]]:
    """Each post's nodes. Flat posts run from their title to the next title; the
    last one has no next title, so it takes only siblings shaped like those the
    other posts have (paragraphs, a meta line, a spacer row), and stops at chrome,
    a pager or a section heading."""
    if not group.flat:
        return [[b] for b in group.blocks]
    if group.blocks[0].tag == "dd":
        # an archive as <dt>date</dt><dd>title</dd>: a post is its title and the term before it
        return [[t, b] if (t := _prev_element(b)) is not None and t.tag == "dt" else [b] for b in group.blocks]
    stops = {b.mem_id for b in group.blocks}
    title_tag = group.members[0].tag
    level = int(title_tag[1]) if title_tag in HEADING_SET else 6
    out: list[list[LexborNode]] = []
    last = len(group.blocks) - 1
    shapes: set[tuple[str | None, str]] = set()
    for i, b in enumerate(group.blocks):
        region = [b]
        nxt = b.next
        while nxt is not None and nxt.mem_id not in stops and len(region) < th.max_flat_siblings:
            if nxt.is_element_node:
                shape = (nxt.tag, nxt.attributes.get("class") or "")
                if i == last:
                    if _stop_flat(nxt, level, memo) or (shapes and shape not in shapes):
                        break
                    if title_tag in HEADING_SET and nxt.css_first(title_tag) is not None:
                        break
                else:
                    shapes.add(shape)
                region.append(nxt)
            elif nxt.is_text_node and (nxt.text_content or "").strip():
                region.append(nxt)
            nxt = nxt.next
        out.append(region)
    return out


def _prev_element(node: LexborNode) -> LexborNode | None:
    p = node.prev
    while p is not None and not p.is_element_node:
        p = p.prev
    return p


def overlaps(a: Group, b: Group) -> bool:
    for ba in a.blocks:
        for bb in b.blocks:
            if contains(ba, bb) or contains(bb, ba):
                return True
    return False


def merge_record_variants(groups: list[Group], memo: Memo) -> list[Group]:
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


def _record_level_variants(a: Group, b: Group, memo: Memo) -> bool:
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
