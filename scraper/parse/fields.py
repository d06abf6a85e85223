"""Fields of one post from its region: title, permalink, date, author, comment count,
tags, clean text and sanitised HTML.

Meta elements (dates, bylines, comment links, "read more", tag lists, share widgets)
are read first, then removed from the region, so that what remains is the post's own
text. The region's nodes are modified in place: call once per post.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from . import rules
from .candidates import contains, text_len
from .dates import find_date
from .dom import Document, decompose_outermost, node_text, raw_text
from .meta import author_of, comment_count, comments_of, date_of, tag_line, tags_of
from .region import Region
from .sanitize import sanitize_html
from ..urls import resolve

__all__ = ["Fields", "extract_fields"]

_HEADINGS = ",".join(rules.HEADINGS)
_TITLE_CLASSED = ("[class~=title i], [class*=-title i], [class*=_title i], [class*=title- i], [class*=title_ i], "
                  "[class*=headline i]")
_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\(more\.*\))\s*$")
_URL_YEAR = re.compile(r"/((?:19|20)\d{2})/")
_HEADER_FOOTER = frozenset({"header", "footer"})
_NON_LETTERS = re.compile(r"[\W\d_]+")
_COMMENT_LINE = re.compile(r"^(?:leave\s+a\s+(?:comment|reply)|\d*\s*comments?)\W*$", re.IGNORECASE)
_BYLINE_START = re.compile(r"^(?:posted\s+by|by|written\s+by)\b", re.IGNORECASE)
_ODD_SPACES = re.compile(r"[\t\r\f\v\u00a0\u200b]")  # _SPACES but the plain space
_META_TOKENS = frozenset({
    "meta", "entry-meta", "post-meta", "postmeta", "byline", "post-info", "entry-info", "postinfo",
    "entry-footer", "post-footer", "entry-utility", "postmetadata", "post-details", "details",
    "dateline", "timestamp", "date", "time", "posted", "published", "author", "tags", "categories",
    "cat-links", "tag-links", "comments-link", "comment-count", "share", "sharing", "social", "readmore",
    "read-more", "more-link", "more", "post-date", "entry-date", "labels", "post-labels", "footer",
    "article-info", "article-meta", "article-details", "entry-details", "meta-info", "post-byline",
    "ratings", "post-ratings", "star-rating", "reading-time", "read-time",
})


# a link that is all "more ..." or "Read post" (as part of a sentence these are text)
_MORE_LINK = re.compile(r"^\W*(?:more\s*(?:\.{2,}|…)|read\s+(?:the\s+)?(?:post|article|story))\W*$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_SCREEN_READER = ".screen-reader-text, .sr-only, .visually-hidden, .visuallyhidden, .element-invisible"
_SCREEN_READER_TOKENS = frozenset({"screen-reader-text", "sr-only", "visually-hidden", "visuallyhidden",
                                   "element-invisible", "screen-reader-only"})
_EXCERPT_TOKENS = frozenset({"excerpt", "entry-summary", "post-excerpt", "p-summary", "teaser", "summary"})
_READ_MORE_CLASS = frozenset({"read-more", "readmore", "more-link", "more", "read-more-link", "continue-reading"})
_BODY_TOKENS = frozenset({"content", "entry-content", "post-content", "body", "text"})
_CONTENT_TOKENS = frozenset({"entry-content", "post-content", "content", "summary", "excerpt", "entry-summary",
                             "text", "body", "description", "teaser", "intro", "abstract", "snippet"})
_CONTENT_WORDS = frozenset({"excerpt", "summary", "description", "teaser", "entry-content", "post-content", "abstract",
                            "snippet"})


@dataclass(slots=True)
class Fields:
    title: str | None = None
    url: str | None = None
    date: str | None = None
    author: str | None = None
    comments: int | None = None
    tags: list[str] = field(default_factory=list)
    text: str | None = None
    html: str | None = None
    full_text: bool = False


def _dayfirst(lang: str | None) -> bool:
    if not lang:
        return False
    lang = lang.replace("_", "-").lower()
    if lang in ("en", "en-us", "en-ca", "en-ph") or lang.startswith("en-us"):
        return False
    return True


def _card_title(member: LexborNode, text_of: Callable[[LexborNode], str]) -> LexborNode | None:
    """In a card that is one link, the heading or the child named as the title."""
    if member.tag != "a":
        return None
    h = member.css_first(_HEADINGS) or member.css_first(_TITLE_CLASSED)
    return h if h is not None and text_of(h) else None


def title_text(member: LexborNode, text_of: Callable[[LexborNode], str] = node_text) -> str:
    """The title as shown: the heading's link text when it holds one link, else its text."""
    node = _card_title(member, text_of) or member
    if node.tag != "a":
        links = [a for a in node.css("a") if text_of(a)]
        if len(links) == 1:
            t = text_of(links[0])
            full = text_of(node)
            if len(t) < 0.5 * len(full):
                # text for screen readers only (" (17 October, 2013)") is not shown
                full = full.replace(_screen_reader_text(node, text_of), "")
            if len(t) >= 0.5 * len(full):
                return t
    return text_of(node)


def _screen_reader_text(node: LexborNode, text_of: Callable[[LexborNode], str]) -> str:
    return "".join(text_of(n) for n in node.css(_SCREEN_READER))


def _without_dates(title: str, member: LexborNode, date_nodes: list[LexborNode],
                   text_of: Callable[[LexborNode], str]) -> str | None:
    """The title without a date printed inside the title's own link ("Post
    title" + <small>September 21, 2023</small>): the date is a field of its own."""
    for d in date_nodes:
        shown = text_of(d)
        if shown and shown in title and shown != title and contains(member, d):
            title = _SPACES.sub(" ", title.replace(shown, " ")).strip(" ·|-–—,")
    return title or None


def _kicker(top: LexborNode, region: Region) -> list[LexborNode]:
    """A short label just above the title, inside the post ("Posts", "Opinion",
    "Sponsored"): a rubric, not the start of the post's text."""
    index = region.index()
    p = top.prev
    while p is not None:
        if p.is_element_node:
            i = index.get(p.mem_id)
            if i is None or i in region.roots:
                return []
            text = region.text(i)
            if text:
                words = text.split()
                if len(text) <= 30 and len(words) <= 3 and not _DIGIT.search(text):
                    return [p]
                return []
        p = p.prev
    return []


def _title_top(member: LexborNode, region: Region) -> LexborNode:
    """The largest wrapper around the title that holds nothing but the title."""
    region_ids, text_of = region.root_ids, region.node_text
    text = text_of(member)
    top = member
    p = member.parent
    while p is not None and p.mem_id not in region_ids:
        if text_of(p) != text:
            break
        top = p
        p = p.parent
    if p is not None and p.mem_id in region_ids and text_of(p) == text:
        top = p
    return top


def _meta_lines_filter(lines: list[str], title: str | None, dayfirst: bool, tags: list[str]) -> list[str]:
    """Drop byline, date, comment, read-more, share and tag lines from the text's ends."""

    def is_meta(line: str) -> bool:
        if len(line) > 160:
            return False
        if tags and tag_line(line, tags):
            return True  # what is left of a meta line once its date and byline went ("· in News, Tech")
        if not any(ch.isalnum() for ch in line) and "…" not in line and ".." not in line:
            return True  # a separator left behind by the meta taken out ("·", "|"); an ellipsis says "excerpt"
        if rules.CHROME_LINE_RE.match(line) or rules.READ_MORE_RE.fullmatch(line.strip(" .…»›→")):
            return True
        if len(line) <= 40 and (rules.READING_TIME_RE.match(line) or rules.VIEWS_LINE_RE.match(line)):
            return True
        if len(line) <= 60 and rules.READ_MORE_RE.search(line):
            return True
        if len(line) <= 40 and (comment_count(line) is not None or _COMMENT_LINE.match(line)):
            return True
        d = find_date(line, dayfirst=dayfirst)
        if d:
            rest = rules.BYLINE_RE.sub("", line)
            letters = _NON_LETTERS.sub("", rest)
            if text_len(letters) <= 25:
                return True
        if _BYLINE_START.match(line) and len(line) < 80:
            return True
        return False

    def is_kicker(i: int) -> bool:
        """A rubric set off by a separator ("News", then "|"), above the text."""
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        return (len(lines[i]) <= 30 and len(lines[i].split()) <= 3 and 0 < len(nxt) <= 3
                and not any(ch.isalnum() for ch in nxt))

    start, end = 0, len(lines)
    while start < end and start < 4 and (is_meta(lines[start]) or is_kicker(start)):
        start += 1
    while end > start and len(lines) - end < 4 and is_meta(lines[end - 1]):
        end -= 1
    return lines[start:end]


def text_lines(nodes: list[LexborNode]) -> list[str]:
    parts = []
    for n in nodes:
        if n.is_text_node:
            parts.append(n.text_content or "")
        else:
            parts.append(raw_text(n))
            parts.append("\n\n")
    raw = "".join(parts)
    lines = []
    for block in _LINES.split(raw):
        sub = [_squeeze(s) for s in block.split("\n")]
        line = "\n".join(s for s in sub if s)
        if line:
            lines.append(line)
    return lines


def _squeeze(line: str) -> str:
    """``_SPACES.sub(" ", line).strip()``: the substitution changes nothing on a line
    whose spaces are all single plain ones, the common case, so it is skipped there."""
    if "  " in line or _ODD_SPACES.search(line):
        line = _SPACES.sub(" ", line)
    return line.strip()


def _ends_with_ellipsis(text: str) -> bool:
    """``_ELLIPSIS_END.search(text)``, looking at the end of the text rather than
    trying the pattern at every character of it."""
    t = text.rstrip()
    return t.endswith(("…", "...", "[…]", "[...]")) or (t.endswith(")") and bool(_ELLIPSIS_END.search(t)))


def _strip_teaser_tail(line: str) -> str:
    """``TEASER_TAIL_RE.sub("", line).rstrip()``: every tail it removes ends in "]" or ")"."""
    if line.rstrip().endswith(("]", ")")):
        line = rules.TEASER_TAIL_RE.sub("", line)
    return line.rstrip()


def _holding_content(region: Region) -> set[int]:
    """Indexes of the region's elements that hold an excerpt- or content-named
    element: marked from those few elements up, not asked of every container."""
    index = region.index()
    out: set[int] = set()
    for i, toks in enumerate(region.tokens):
        if toks and toks & _CONTENT_WORDS:
            p = region.els[i].parent
            while p is not None:
                j = index.get(p.mem_id)
                if j is None or j in out:
                    break
                out.add(j)
                p = p.parent
    return out


def _is_meta_container(region: Region, i: int, title_len: int, holding: Callable[[], set[int]]) -> bool:
    tag = region.tags[i]
    # a header or meta box that holds the excerpt ("<p class=description>") is not all meta
    if tag == "header":
        return len(region.text(i)) <= title_len + 250 and i not in holding()
    if tag == "footer":
        return len(region.text(i)) <= 400 and i not in holding()
    toks = region.tokens[i]
    # inside a post, "recent-post-info" names the post's own box, not a widget
    if (toks & rules.CHROME_TOKENS) - rules.LIST_WORDS and not toks & _BODY_TOKENS and i not in holding():
        return True
    if toks & _META_TOKENS:
        # "post-meta-description" is the excerpt; a short "meta-main-wrap" or
        # "item-details" may hold the title, the meta line and the excerpt together
        return len(region.text(i)) <= 300 and not toks & _CONTENT_TOKENS and i not in holding()
    return False


def _meta_elements(region: Region, title: str | None, permalink: Callable[[str | None], bool]
                   ) -> tuple[list[LexborNode], bool, bool]:
    """"Read more" links, meta containers (bylines, share boxes, post headers and
    footers) and text for screen readers only ("Published on") below the region
    nodes; whether a "read more" link was among them; and whether a container names
    itself an excerpt or summary (then the text is not the whole post either).

    A read-more link says so in words, or by its class, or is a short second link
    to the post itself that ends the post ("»", "Read Post", "続きを表示"); a link
    to the post with more after it is the excerpt itself (themes link it)."""
    drop: list[LexborNode] = []
    read_more = excerpt = False
    title_len = len(title or "")
    roots, ids, tokens = region.root_ids, region.ids, region.tokens
    ending: str | None = None
    held: list[set[int]] = []

    def holding() -> set[int]:
        if not held:
            held.append(_holding_content(region))
        return held[0]

    for i, tag in enumerate(region.tags):
        toks = tokens[i]
        if toks:
            if toks & _SCREEN_READER_TOKENS:
                drop.append(region.els[i])
            elif toks & _EXCERPT_TOKENS:
                excerpt = True
        if tag == "a":
            t = region.text(i)
            if not t or len(t) > 150 or (len(t) > 60 and not rules.READ_MORE_RE.match(t)):
                continue  # (a long one must open with the words: "Read more ... <the title>")
            if not (rules.READ_MORE_RE.search(t) or _MORE_LINK.match(t)):
                if len(t) > 30 or t == title or _DIGIT.search(t) or comment_count(t) is not None:
                    continue  # (a title, a count, or "No comments »": not a way to read more)
                if not toks & _READ_MORE_CLASS:
                    if ending is None:
                        ending = " ".join(region.text(r) for r in region.roots).rstrip()
                    if not ending.endswith(t) or (len(ending) > len(t) and ending[-len(t) - 1].isalnum()):
                        continue
                    if not permalink(region.attrs[i].get("href")):
                        continue
            drop.append(region.els[i])
            read_more = True
        elif (toks or tag in _HEADER_FOOTER) and ids[i] not in roots and _is_meta_container(region, i, title_len,
                                                                                             holding):
            drop.append(region.els[i])  # (an element without class or id is a meta container only by its tag)
    return drop, read_more, excerpt


def extract_fields(doc: Document, member: LexborNode, link: str | None, nodes: list[LexborNode]) -> Fields:
    """Read one post's fields off its region, then strip meta to get its text."""
    f = Fields()
    region = Region(nodes, doc.classes)
    region_ids = region.root_ids
    # a card that is one link holds its excerpt and meta too: only its title is the title
    card_title = _card_title(member, region.node_text)
    if card_title is not None and len(region.node_text(member)) <= 2 * len(region.node_text(card_title)) + 40:
        card_title = None
    heading = card_title or member
    f.title = title_text(member, region.node_text).replace("\u00ad", "") or None
    f.url = link
    dayfirst = _dayfirst(doc.lang)
    m = _URL_YEAR.search(link or "")
    year = int(m.group(1)) if m else None

    f.date, date_nodes = date_of(region, dayfirst, year, heading)
    if f.title and date_nodes:
        f.title = _without_dates(f.title, heading, date_nodes, region.node_text)
    if f.date is None:
        f.date = _preceding_date(nodes[0], dayfirst, year)
    f.author, author_nodes = author_of(region, heading)
    f.comments, comment_nodes = comments_of(region)
    f.tags, tag_nodes = tags_of(region)

    # what is not the post's own text
    top = card_title or _title_top(member, region)
    drop: list[LexborNode] = [] if top.mem_id in region_ids else [top]
    drop += _kicker(top, region)
    drop += date_nodes + author_nodes + comment_nodes + tag_nodes
    meta, read_more, excerpt = _meta_elements(
        region, f.title, lambda href: bool(href and link and resolve(doc.base_url, href) == link))
    drop += meta
    del region  # its nodes are about to go
    decompose_outermost(drop, region_ids)
    if top.mem_id in region_ids:
        # the title is a region node of its own (flat posts): the text is the rest
        nodes = [n for n in nodes if n.mem_id != top.mem_id]
    if len(nodes) > 1:
        # a flat post's date or comments line is a sibling of its own: leave it out
        gone = {n.mem_id for n in drop} & region_ids
        nodes = [n for n in nodes if n.mem_id not in gone]

    lines = text_lines(nodes)
    lines = _meta_lines_filter(lines, f.title, dayfirst, f.tags)
    if lines:
        last = _strip_teaser_tail(lines[-1])
        if last != lines[-1]:
            read_more = True
        if last:
            lines[-1] = last
        else:
            lines.pop()
    text = "\n\n".join(lines).strip().replace("\u00ad", "")  # (soft hyphens are shown only at a line's end)
    # an excerpt of nothing ("…", "[...]") is no text; the post is not full either
    f.text = text if any(ch.isalnum() for ch in text) else None
    if not f.text and text:
        read_more = True
    if f.text:
        if _ends_with_ellipsis(f.text):
            read_more = True
        f.html = sanitize_html(nodes, doc.base_url) or None
    f.full_text = bool(f.text) and not read_more and not excerpt
    return f


def _preceding_date(first: LexborNode, dayfirst: bool, year: int | None) -> str | None:
    """A date printed just before the post (a dated heading above a post div)."""
    p = first.prev
    steps = 0
    while p is not None and steps < 4:
        if p.is_element_node:
            text = node_text(p)
            if text:
                if len(text) > 80:
                    return None
                return find_date(text, dayfirst=dayfirst, default_year=year)
        steps += 1
        p = p.prev
    return None
