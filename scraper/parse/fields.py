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
from .dates import find_date, parse_iso
from .dom import Document, elements_of, node_text, norm, raw_text
from .region import BELOW_BLOCK, BELOW_P_DIV, BELOW_P_DIV_LI, Region
from .sanitize import sanitize_html

__all__ = ["Fields", "extract_fields"]

_HEADINGS = ",".join(rules.HEADINGS)
_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\(more\.*\))\s*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_URL_YEAR = re.compile(r"/((?:19|20)\d{2})/")
_ONLY_PUNCT = re.compile(r"^[\W_]*$")
_DIGIT = re.compile(r"\d")  # every date find_date reads has one
_CHANGED = frozenset({"updated", "modified"})
_HEADER_FOOTER = frozenset({"header", "footer"})
_TWO_DIGITS = re.compile(r"\d{2}")
_NON_DIGITS = re.compile(r"\D")
_NON_LETTERS = re.compile(r"[\W\d_]+")
_COMMENT_LINE = re.compile(r"^(?:leave\s+a\s+(?:comment|reply)|\d*\s*comments?)\W*$", re.IGNORECASE)
_BYLINE_START = re.compile(r"^(?:posted\s+by|by|written\s+by)\b", re.IGNORECASE)
_ODD_SPACES = re.compile(r"[\t\r\f\v\u00a0\u200b]")  # _SPACES but the plain space
_COMMENT_TOKENS = frozenset({"comments", "comment", "comments-link", "comment-count", "comment-link",
                             "commentcount", "comments-count", "post-comments"})
_META_TOKENS = frozenset({
    "meta", "entry-meta", "post-meta", "postmeta", "byline", "post-info", "entry-info", "postinfo",
    "entry-footer", "post-footer", "entry-utility", "postmetadata", "post-details", "details",
    "dateline", "timestamp", "date", "time", "posted", "published", "author", "tags", "categories",
    "cat-links", "tag-links", "comments-link", "comment-count", "share", "sharing", "social", "readmore",
    "read-more", "more-link", "more", "post-date", "entry-date", "labels", "post-labels", "footer",
})


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


def title_text(member: LexborNode, text_of: Callable[[LexborNode], str] = node_text) -> str:
    """The title as shown: the heading's link text when it holds one link, else its text."""
    node = member
    if member.tag == "a":
        h = member.css_first(_HEADINGS)
        if h is not None:
            node = h
    if node.tag != "a":
        links = [a for a in node.css("a") if text_of(a)]
        if len(links) == 1:
            t = text_of(links[0])
            full = text_of(node)
            if len(t) >= 0.5 * len(full):
                return t
    return text_of(node)


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


def _date_of(region: Region, dayfirst: bool, year: int | None) -> tuple[str | None, list[LexborNode]]:
    """First date shown in the region; prefers <time> and date-classed elements."""
    found: dict[str, str | None] = {}

    def date_in(text: str) -> str | None:
        # a parent and its only child often read the same: parse each text once
        if text not in found:
            found[text] = find_date(text, dayfirst=dayfirst, default_year=year)
        return found[text]

    tags, attrs, tokens, text_of = region.tags, region.attrs, region.tokens, region.text
    times: list[int] = []
    for first, end in region.spans():
        if tags[first] == "time":
            times.append(first)  # a <time> region node stands for itself
        else:
            times.extend(i for i in range(first + 1, end) if tags[i] == "time")
    for i in times:
        if tokens[i] & _CHANGED and len(times) > 1:
            continue
        shown = date_in(text_of(i))
        machine = parse_iso(attrs[i].get("datetime"))
        value = shown
        if machine and (not shown or machine[:10] == shown[:10]):
            value = machine if len(machine) > len(shown or "") else shown
        if value:
            return value, [region.els[i]]
    for i, a in enumerate(attrs):
        if a.get("itemprop") == "datePublished":
            v = parse_iso(a.get("content") or a.get("datetime")) or date_in(text_of(i))
            if v:
                return v, [region.els[i]]
    for i, toks in enumerate(tokens):
        if toks and toks & rules.DATE_TOKENS and not toks & _CHANGED:
            text = text_of(i)
            if 4 <= len(text) <= 160:
                v = date_in(text)
                if v:
                    return v, [region.els[i]]
    # short lines anywhere in the region ("11 April, 2011 Posted by: -"); a date needs a digit
    if not region.mentions(_DIGIT):
        return None, []
    below = region.below()
    for i, tag in enumerate(tags):
        if tag == "a" or below[i] <= BELOW_BLOCK:
            continue
        text = text_of(i)
        if 4 <= len(text) <= 120:
            v = date_in(text)
            if v:
                return v, [region.els[i]]
    return None, []


def clean_author(text: str) -> str | None:
    """A byline's name: "Posted by: Jane Roe | 3 May" is "Jane Roe"; a byline with
    no name ("Posted by: -", "By") is None."""
    text = norm(text)
    if _LABEL_ONLY.match(text):
        return None
    m = rules.BYLINE_RE.match(text)
    if m:
        text = m.group(1)
    text = rules.AUTHOR_SPLIT_RE.split(text, maxsplit=1)[0].strip(" :|-–—,·•")
    if not text or _ONLY_PUNCT.match(text) or len(text) > 80 or len(text.split()) > 10:
        return None
    if text.lower() in _NOT_NAMES:
        return None
    if _TWO_DIGITS.search(text):
        return None
    return text


_LABEL_ONLY = re.compile(r"^(?:posted|written|published)?\s*(?:by|von|por|par)?\s*[:：]?\s*[-–—]?$", re.IGNORECASE)
_BYLINE_IN_LINE = re.compile(
    r"(?:^|[|·•—–]\s*|\d\s+)(?:posted\s+by|written\s+by|author|by|por|von|par)\s*[:：]?\s+(.+)", re.IGNORECASE)
_AUTHOR_NAMES = frozenset({"author", "authors", "byline", "vcard", "fn", "p-author", "h-card", "entry-author",
                           "post-author", "author-name", "article-author", "byline-author", "post-byline",
                           "entry-byline", "by-author", "meta-author", "author-link", "posted-by", "autor"})
_NOT_NAMES = frozenset({"posted", "by", "author", "written", "published", "unknown", "anonymous"})
_NAME_JOINERS = frozenset({"and", "y", "e", "et", "und", "og", "och", "en", "i", "de", "da", "del", "della", "di",
                           "du", "der", "den", "van", "von", "le", "la", "of", "&", "dos", "das", "bin", "al"})


def _looks_like_name(text: str) -> bool:
    """Capitalised words (and joiners): "Gina Kolata y Benjamin Mueller", not
    "local residents" or the rest of a headline that happens to start with "Von"."""
    words = text.replace(",", " ").split()
    if not words or len(words) > 10:
        return False
    for w in words:
        c = w[0]
        if w.lower() in _NAME_JOINERS or not c.isalpha() or c.isupper() or not (c.islower() or c.isupper()):
            continue  # caseless scripts (CJK) and handles pass
        return False
    return True


def _author_of(region: Region, skip: LexborNode) -> tuple[str | None, list[LexborNode]]:
    skip_ids = {n.mem_id for n in elements_of(skip)}
    tags, attrs, ids, names = region.tags, region.attrs, region.ids, region.names
    for i, a in enumerate(attrs):
        if not a or ids[i] in skip_ids:
            continue  # without attributes, nothing names an author
        rel = a.get("rel")
        if (rel and "author" in rel.lower().split()) or a.get("itemprop") == "author" or names[i] & _AUTHOR_NAMES:
            if region.tokens[i] & {"author-bio", "authorbox", "avatar"}:
                continue
            n = region.els[i]
            name = n.css_first("[itemprop=name], .fn, .p-name")
            text = node_text(name) if name is not None else region.text(i)
            if not text or len(text) > 200:
                continue
            # one of several names: the whole byline line holds them all
            line = n.parent
            for _ in range(2):
                if line is None:
                    break
                ltext = node_text(line)
                if len(ltext) > 160:
                    break
                if rules.BYLINE_RE.match(ltext):
                    text = ltext
                    break
                line = line.parent
            m = rules.BYLINE_RE.search(text)
            value = clean_author(m.group(1) if m else text)
            if value:
                return value, [n]
    below = region.below()
    for i, tag in enumerate(tags):
        if tag == "a" or below[i] <= BELOW_P_DIV_LI or ids[i] in skip_ids:
            continue
        text = region.text(i)
        if 3 <= len(text) <= 140:
            # the byline opens the line, or follows a date or a separator
            m = _BYLINE_IN_LINE.search(text)
            if m:
                value = clean_author(m.group(1))
                if value and _looks_like_name(value):
                    return value, []
    return None, []


def _count(text: str) -> int | None:
    # both forms of a count hold a digit; most short lines have none
    m = rules.COMMENT_COUNT_RE.search(text) if _DIGIT.search(text) else None
    if m:
        raw = m.group(1) or m.group(2) or ""
        digits = _NON_DIGITS.sub("", raw)
        if digits:
            return int(digits)
    if rules.NO_COMMENTS_RE.match(text):
        return 0
    return None


def _comments_of(region: Region) -> tuple[int | None, list[LexborNode]]:
    used: list[LexborNode] = []
    value: int | None = None
    tags, attrs, tokens = region.tags, region.attrs, region.tokens
    for i, tag in enumerate(tags):
        toks = tokens[i]
        href = attrs[i].get("href") if tag == "a" else None
        is_link = bool(href and rules.COMMENT_HREF_RE.search(href))
        if not (is_link or toks & _COMMENT_TOKENS):
            continue
        text = region.text(i)
        if len(text) > 60:
            continue
        used.append(region.els[i])
        if value is None:
            c = _count(text)
            if c is None and text.isdecimal() and (is_link or "count" in " ".join(toks)):
                c = int(text)
            value = c
    if value is None:
        # "Comments (3)" as plain text in a flat post
        for i, low in enumerate(region.below()):
            if low <= BELOW_P_DIV:
                continue
            text = region.text(i)
            if 3 <= len(text) <= 40:
                c = _count(text)
                if c is not None:
                    return c, used + [region.els[i]]
    return value, used


def _tags_of(region: Region) -> tuple[list[str], list[LexborNode]]:
    tags: list[str] = []
    used: list[LexborNode] = []
    tokens = region.tokens
    for i, tag in enumerate(region.tags):
        if tag == "a" and "tag" in (region.attrs[i].get("rel") or "").lower().split():
            t = region.text(i)
            if t and t not in tags:
                tags.append(t)
        elif tokens[i] & rules.TAG_CONTAINER_TOKENS:
            n = region.els[i]
            links = n.css("a")
            if links:
                used.append(n)
                for a in links:
                    t = node_text(a)
                    if t and t not in tags:
                        tags.append(t)
    return tags, used


def _meta_lines_filter(lines: list[str], title: str | None, dayfirst: bool) -> list[str]:
    """Drop byline, date, comment, read-more and share lines from the text's ends."""

    def is_meta(line: str) -> bool:
        if len(line) > 160:
            return False
        if not any(ch.isalnum() for ch in line) and "…" not in line and ".." not in line:
            return True  # a separator left behind by the meta taken out ("·", "|"); an ellipsis says "excerpt"
        if rules.CHROME_LINE_RE.match(line) or rules.READ_MORE_RE.fullmatch(line.strip(" .…»›→")):
            return True
        if len(line) <= 60 and rules.READ_MORE_RE.search(line):
            return True
        if len(line) <= 40 and (_count(line) is not None or _COMMENT_LINE.match(line)):
            return True
        d = find_date(line, dayfirst=dayfirst)
        if d:
            rest = rules.BYLINE_RE.sub("", line)
            letters = _NON_LETTERS.sub("", rest)
            if len(letters) + 2 * len(_CJK.findall(letters)) <= 25:
                return True
        if _BYLINE_START.match(line) and len(line) < 80:
            return True
        return False

    start, end = 0, len(lines)
    while start < end and start < 4 and is_meta(lines[start]):
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


def _is_meta_container(region: Region, i: int, title_len: int) -> bool:
    tag = region.tags[i]
    if tag == "header":
        return len(region.text(i)) <= title_len + 250
    if tag == "footer":
        return len(region.text(i)) <= 400
    toks = region.tokens[i]
    if toks & rules.CHROME_TOKENS and not toks & {"content", "entry-content", "post-content", "body", "text"}:
        return True
    if toks & _META_TOKENS:
        return len(region.text(i)) <= 300 and not toks & {"entry-content", "post-content", "content", "summary",
                                                           "excerpt", "entry-summary", "text", "body"}
    return False


def _meta_elements(region: Region, title_len: int) -> tuple[list[LexborNode], bool]:
    """"Read more" links and meta containers (bylines, share boxes, post headers and
    footers) below the region nodes; and whether a "read more" link was among them."""
    drop: list[LexborNode] = []
    read_more = False
    roots, ids, tokens = region.root_ids, region.ids, region.tokens
    for i, tag in enumerate(region.tags):
        if tag == "a":
            t = region.text(i)
            if t and len(t) <= 60 and rules.READ_MORE_RE.search(t):
                drop.append(region.els[i])
                read_more = True
        elif (tokens[i] or tag in _HEADER_FOOTER) and ids[i] not in roots and _is_meta_container(region, i, title_len):
            drop.append(region.els[i])  # (an element without class or id is a meta container only by its tag)
    return drop, read_more


def extract_fields(doc: Document, member: LexborNode, link: str | None, nodes: list[LexborNode]) -> Fields:
    """Read one post's fields off its region, then strip meta to get its text."""
    f = Fields()
    region = Region(nodes, doc.classes)
    region_ids = region.root_ids
    f.title = title_text(member, region.node_text) or None
    f.url = link
    dayfirst = _dayfirst(doc.lang)
    m = _URL_YEAR.search(link or "")
    year = int(m.group(1)) if m else None

    f.date, date_nodes = _date_of(region, dayfirst, year)
    if f.date is None:
        f.date = _preceding_date(nodes[0], dayfirst, year)
    f.author, author_nodes = _author_of(region, member)
    f.comments, comment_nodes = _comments_of(region)
    f.tags, tag_nodes = _tags_of(region)

    # what is not the post's own text
    top = _title_top(member, region)
    drop: list[LexborNode] = [] if top.mem_id in region_ids else [top]
    drop += date_nodes + author_nodes + comment_nodes + tag_nodes
    meta, read_more = _meta_elements(region, len(f.title or ""))
    drop += meta
    del region  # its nodes are about to go
    _decompose_all(drop, region_ids)
    if top.mem_id in region_ids:
        # the title is a region node of its own (flat posts): the text is the rest
        nodes = [n for n in nodes if n.mem_id != top.mem_id]
    if len(nodes) > 1:
        # a flat post's date or comments line is a sibling of its own: leave it out
        gone = {n.mem_id for n in drop} & region_ids
        nodes = [n for n in nodes if n.mem_id not in gone]

    lines = text_lines(nodes)
    lines = _meta_lines_filter(lines, f.title, dayfirst)
    if lines:
        last = _strip_teaser_tail(lines[-1])
        if last != lines[-1]:
            read_more = True
        if last:
            lines[-1] = last
        else:
            lines.pop()
    text = "\n\n".join(lines).strip()
    f.text = text or None
    if f.text:
        if _ends_with_ellipsis(f.text):
            read_more = True
        f.html = sanitize_html(nodes, doc.base_url) or None
    f.full_text = bool(f.text) and not read_more
    return f


def _decompose_all(drop: list[LexborNode], keep: set[int]) -> None:
    """Remove nodes, outermost first; a node inside one already removed is skipped
    (its memory went with its ancestor)."""
    ids = {n.mem_id for n in drop} - keep
    done: set[int] = set()
    for n in drop:
        if n.mem_id not in ids or n.mem_id in done:
            continue
        p, nested = n.parent, False
        while p is not None:
            if p.mem_id in ids:
                nested = True
                break
            p = p.parent
        if not nested:
            done.add(n.mem_id)
    for n in drop:
        if n.mem_id in done:
            done.discard(n.mem_id)
            n.decompose()


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
