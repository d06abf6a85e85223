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

from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from ..urls import canonical_url, same_site_or_both_relative
from . import rules
from .candidates import (
    HEADING_SET,
    Memo,
    candidates,
    contains,
    link_of,
    own_link,
    signature,
)
from .chrome import Chrome, ink
from .dom import Document, TextMemo
from .groups import Group, Item, build_group, merge_record_variants, overlaps, regions

__all__ = ["Item", "Group", "Split", "split"]


def _url_shape(url: str | None) -> tuple[str, str, int] | None:
    """(host, first path segment when deeper than one, depth): what permalinks of
    one site share."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[oops/"
        return None
    segs = [p for p in parts.path.split("/") if p]
    return (parts.netloc.lower(), segs[0] if len(segs) > 1 else "", len(segs))


def _shape_like(shape: tuple[str, str, int] | None, shapes: list[tuple[str, str, int]]) -> bool:
    if shape is None:
        return False
    return any(shape[0] == s[0] and shape[1] == s[1] and abs(shape[2] - s[2]) <= 1 for s in shapes)


def _hero(best: Group, cands: list[tuple[LexborNode, str]], body: LexborNode, chrome_of: Chrome,
          memo: Memo) -> list[Item]:
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
                inside = [c for c, _ in cands if c.mem_id not in member_ids and contains(sib, c)]
                heads = [c for c in inside if c.tag in HEADING_SET]
                # a post's title links to it; an archive's own heading above its
                # description ("All posts tagged ...", then a contact link) does not
                if len(heads) == 1 and own_link(heads[0]) and not chrome_of.is_chrome_block(sib):
                    link = link_of(heads[0], sib, memo)
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
        if g.chrome or len(g.members) < 2 or sum(map(own_link, g.members)) < 0.8 * len(g.members):
            continue
        outer_links = [u for u in g.links if u]
        if not outer_links:
            continue
        # subheadings link nowhere, off the site, or to a place in a post (a table of
        # contents' "#id4" on the post's own address); titles link to the site's posts
        posts = {u.split("#", 1)[0] for u in outer_links}
        to_posts = sum(1 for u in inner_links if same_site_or_both_relative(u, outer_links[0])
                       and not ("#" in u and u.split("#", 1)[0] in posts))
        if to_posts > 0.5 * len(best.members):
            continue
        holders = set()
        for m in best.members:
            holder = next((i for i, b in enumerate(g.blocks) if contains(b, m)), None)
            if holder is None:
                break
            holders.add(holder)
        else:
            if len(holders) >= 2:
                return g
    return best


def _one_per_link(members: list[LexborNode], memo: Memo) -> list[LexborNode]:
    """A card's title link and its teaser link, side by side and alike, go to the
    same post: the first (the title) stands for both. So does a linked title and
    the unlinked subtitle heading right after it."""
    out = [members[0]]
    for m in members[1:]:
        prev = out[-1]
        if m.parent is not None and prev.parent is not None and m.parent.mem_id == prev.parent.mem_id:
            url = memo.title_url(m)
            if url is not None and url == memo.title_url(prev):
                continue
            if url is None and not own_link(m) and own_link(prev):
                continue
        out.append(m)
    return out


def _admit_weak(chosen: list[Group], weak: list[LexborNode], order: dict[int, int], memo: Memo) -> list[Group]:
    """Short links join the chosen listing when they have its titles' exact shape:
    in a list of "date, title" items, "Vue 3" is a title as much as its longer
    neighbours. Asked only once the listing is chosen (so a menu cannot grow into
    a winner), and never more than twice as many joiners as titles. Returns the
    groups that grew, to be built again."""
    sigs = {g.signature: g for g in chosen}
    # a link's own part and its parent's first: most links differ there already
    own = {sig[0] for sig in sigs}
    up = {sig[1] if len(sig) > 1 else "" for sig in sigs}
    joining: dict[tuple[str, ...], list[LexborNode]] = {}
    for node in weak:
        if memo.part(node) not in own:
            continue
        parent = node.parent
        if (memo.part(parent) if parent is not None else "") not in up:
            continue
        sig = signature(node, memo)
        if sig in sigs:
            joining.setdefault(sig, []).append(node)
    grown = []
    for sig, nodes in joining.items():
        g = sigs[sig]
        if len(nodes) <= 2 * len(g.members):
            g.members = sorted(g.members + nodes, key=lambda n: order.get(n.mem_id, 0))
            grown.append(g)
    return grown


def _linked_titles(best: Group, groups: list[Group]) -> Group:
    """Titles link to their posts. When the best group's headings link nowhere and
    only borrow the link of the post below them (a day's heading above each post of
    a blog archive, one post a day), the group of linked headings that lead to the
    same posts is the listing's titles."""
    n = len(best.members)
    if sum(1 for m in best.members if own_link(m)) >= 0.5 * n:
        return best
    links = {u for u in best.links if u}
    for g in groups:
        if g is best or g.chrome or g.members[0].tag not in HEADING_SET:
            continue
        if sum(1 for m in g.members if own_link(m)) < 0.8 * len(g.members):
            continue
        if links and len(links & {u for u in g.links if u}) >= 0.8 * len(links):
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


def _single(cands: list[tuple[LexborNode, str]], body: LexborNode, chrome_of: Chrome,
            doc: Document, memo: Memo, min_chars: int) -> Item | None:
    """A listing page that shows one post (a blog's last page, a one-post home).

    An article page's title links nowhere or to the page itself; a listing's links
    to the post. So: one linked heading, in a post-like block with text, whose link
    goes elsewhere."""
    here = canonical_url(doc.page_url) if doc.page_url else None
    best: tuple[int, Item] | None = None
    for node, _text in cands:
        if node.tag not in ("h1", "h2", "h3") or not own_link(node):
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
        link = link_of(node, block, memo)
        if not link or (here and canonical_url(link) == here):
            continue
        if chrome_of.classify(block)[0]:
            continue
        size = ink(block)
        if size >= min_chars and (best is None or size > best[0]):
            best = (size, Item(title=node, link=link, nodes=[block]))
    return best[1] if best else None


def split(doc: Document, th: rules.Thresholds | None = None, *, article: bool = False, listing: bool = False,
          texts: TextMemo | None = None) -> Split:
    """The posts of a listing page, in page order, with the groups considered (for
    ``scraper inspect``). ``article``: the page says it is an article (og:type,
    JSON-LD, body class), which makes a short repeated list count for less;
    ``listing``: it says it is a listing (an archive's last page may show one
    short excerpt).
    ``texts``: node texts already read off this (unchanged) page, to share."""
    th = th or rules.Thresholds()
    body = doc.body
    if body is None:
        return Split([], [], "the document has no body")
    memo = Memo(body, doc.base_url, doc.classes, texts or TextMemo())
    weak: list[LexborNode] = []
    order: dict[int, int] = {}
    cands = candidates(body, th, memo, weak, order)
    by_sig: dict[tuple[str, ...], Group] = {}
    for node, _text in cands:
        sig = signature(node, memo)
        g = by_sig.get(sig)
        if g is None:
            by_sig[sig] = Group(signature=sig, members=[node])
        else:
            g.members.append(node)
    groups = merge_record_variants(list(by_sig.values()), memo)
    for g in groups:
        if len(g.members) > 1:
            g.members = _one_per_link(g.members, memo)
    groups = [g for g in groups if len(g.members) >= th.min_posts]
    chrome_of = Chrome(body, memo)
    cand_ids = {c.mem_id for c, _ in cands}
    for g in groups:
        build_group(g, body, doc, th, chrome_of, cand_ids, memo)
    groups = [g for g in groups if len(g.members) >= th.min_posts]
    # a sidebar or footer never beats the page body by sheer number of items: the
    # body's best group wins unless it is next to nothing beside the chrome's (in
    # the page's main content it wins however long the sidebar)
    groups.sort(key=lambda g: g.score, reverse=True)
    body_best = next((g for g in groups if not g.chrome), None)
    if groups and groups[0].chrome and body_best is not None and body_best.score >= 5.0 and (
            body_best.main or body_best.score >= 0.1 * groups[0].score):
        groups.remove(body_best)
        groups.insert(0, body_best)
    reason = _listing_verdict(groups[0], article) if groups else "no repeated post structure found"
    if reason is not None:
        min_chars = th.single_post_min_chars_listed if listing else th.single_post_min_chars
        one = None if article else _single(cands, body, chrome_of, doc, memo, min_chars)
        return Split([one] if one else [], groups, None if one else reason)
    best = _linked_titles(_outer(groups[0], groups), groups)
    chosen = [best]
    seen_links = {u for u in best.links if u}
    shapes = [s for s in (_url_shape(u) for u in seen_links) if s]
    for g in groups[1:]:
        if g.score < th.merge_score_ratio * best.score:
            break
        if g.chrome:
            continue
        if best.extra >= 40 and g.extra < 10 and g.score < 0.5 * best.score:
            continue  # bare links beside dated excerpts: a "recently updated" box, not more posts
        links = {u for u in g.links if u}
        if not links or len(links & seen_links) > 0.3 * len(links):
            continue
        alike = sum(1 for u in links if _shape_like(_url_shape(u), shapes))
        if alike < 0.8 * len(links):
            continue  # rubric and section links, not more posts
        if any(overlaps(g, c) for c in chosen):
            continue
        chosen.append(g)
        seen_links |= links
    if weak:
        for g in _admit_weak(chosen, weak, order, memo):
            build_group(g, body, doc, th, chrome_of, cand_ids, memo)
    items: list[Item] = _hero(best, cands, body, chrome_of, memo)
    for g in chosen:
        for m, link, region in zip(g.members, g.links, regions(g, th, memo)):
            items.append(Item(title=m, link=link, nodes=region))
    if len(chosen) > 1:
        # every title is a candidate, and candidates come in document order
        order = {c.mem_id: i for i, (c, _) in enumerate(cands)}
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
