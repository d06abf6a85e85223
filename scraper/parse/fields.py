"""Fields of one post from its region: title, permalink, date, author, comment count,
tags, clean text and sanitised HTML.

Meta elements (dates, bylines, comment links, "read more", tag lists, share widgets)
are read first, then removed from the region, so that what remains is the post's own
text. The region's nodes are modified in place: call once per post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from ..urls import resolve
from . import rules
from .dates import find_date, parse_iso
from .dom import Document, classes_of, has_descendant, node_text, norm, tokens_of
from .sanitize import sanitize_html

__all__ = ["Fields", "extract_fields"]

_HEADINGS = ",".join(rules.HEADINGS)
_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\(more\.*\))\s*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_URL_YEAR = re.compile(r"/((?:19|20)\d{2})/")
_ONLY_PUNCT = re.compile(r"^[\W_]*$")
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


def _walk(nodes: list[LexborNode]):
    """Every element under the region's nodes, in document order."""
    for n in nodes:
        if n.is_element_node:
            yield from n.css("*")  # Lexbor includes the node itself


def title_text(member: LexborNode) -> str:
    """The title as shown: the heading's link text when it holds one link, else its text."""
    node = member
    if member.tag == "a":
        h = member.css_first(_HEADINGS)
        if h is not None:
            node = h
    if node.tag != "a":
        links = [a for a in node.css("a") if node_text(a)]
        if len(links) == 1:
            t = node_text(links[0])
            full = node_text(node)
            if len(t) >= 0.5 * len(full):
                return t
    return node_text(node)


def _title_top(member: LexborNode, region_ids: set[int]) -> LexborNode:
    """The largest wrapper around the title that holds nothing but the title."""
    text = node_text(member)
    top = member
    p = member.parent
    while p is not None and p.mem_id not in region_ids:
        if node_text(p) != text:
            break
        top = p
        p = p.parent
    if p is not None and p.mem_id in region_ids and node_text(p) == text:
        top = p
    return top


def _date_of(nodes: list[LexborNode], dayfirst: bool, year: int | None) -> tuple[str | None, list[LexborNode]]:
    """First date shown in the region; prefers <time> and date-classed elements."""
    published = None
    used: list[LexborNode] = []
    times = []
    for n in nodes:
        if not n.is_element_node:
            continue
        times.extend(n.css("time") if n.tag != "time" else [n])
    for t in times:
        toks = tokens_of(t)
        if toks & {"updated", "modified"} and len(times) > 1:
            continue
        shown = find_date(node_text(t), dayfirst=dayfirst, default_year=year)
        machine = parse_iso(t.attributes.get("datetime"))
        value = shown
        if machine and (not shown or machine[:10] == shown[:10]):
            value = machine if len(machine) > len(shown or "") else shown
        if value:
            published = value
            used.append(t)
            break
    if published:
        return published, used
    for n in _walk(nodes):
        if n.attributes.get("itemprop") == "datePublished":
            v = parse_iso(n.attributes.get("content") or n.attributes.get("datetime")) or find_date(
                node_text(n), dayfirst=dayfirst, default_year=year)
            if v:
                return v, [n]
    for n in _walk(nodes):
        toks = tokens_of(n)
        if toks & rules.DATE_TOKENS and not toks & {"updated", "modified"}:
            text = node_text(n)
            if 4 <= len(text) <= 160:
                v = find_date(text, dayfirst=dayfirst, default_year=year)
                if v:
                    return v, [n]
    # short lines anywhere in the region ("11 April, 2011 Posted by: -")
    for n in _walk(nodes):
        if n.tag in ("a",):
            continue
        text = node_text(n)
        if 4 <= len(text) <= 120 and not has_descendant(n, "p, div, li, h1, h2, h3, h4, h5, h6"):
            v = find_date(text, dayfirst=dayfirst, default_year=year)
            if v:
                return v, [n]
    return None, []


def _clean_author(text: str) -> str | None:
    text = norm(text)
    m = rules.BYLINE_RE.match(text)
    if m:
        text = m.group(1)
    text = rules.AUTHOR_SPLIT_RE.split(text, maxsplit=1)[0].strip(" :|-–—,·•")
    if not text or _ONLY_PUNCT.match(text) or len(text) > 80 or len(text.split()) > 10:
        return None
    if text.lower() in _NOT_NAMES:
        return None
    if re.search(r"\d{2}", text):
        return None
    return text


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


def _author_of(nodes: list[LexborNode], skip: LexborNode) -> tuple[str | None, list[LexborNode]]:
    skip_ids = {n.mem_id for n in skip.css("*")}
    for n in _walk(nodes):
        if n.mem_id in skip_ids:
            continue
        a = n.attributes
        rel = (a.get("rel") or "").lower().split()
        toks = tokens_of(n)
        names = set(classes_of(n).split())
        if "author" in rel or a.get("itemprop") == "author" or names & _AUTHOR_NAMES:
            if toks & {"author-bio", "authorbox", "avatar"}:
                continue
            name = n.css_first("[itemprop=name], .fn, .p-name")
            text = node_text(name) if name is not None else node_text(n)
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
            value = _clean_author(m.group(1) if m else text)
            if value:
                return value, [n]
    for n in _walk(nodes):
        if n.tag == "a" or n.mem_id in skip_ids:
            continue
        text = node_text(n)
        if 3 <= len(text) <= 140 and not has_descendant(n, "p, div, li"):
            # the byline opens the line, or follows a date or a separator
            m = _BYLINE_IN_LINE.search(text)
            if m:
                value = _clean_author(m.group(1))
                if value and _looks_like_name(value):
                    return value, []
    return None, []


def _count(text: str) -> int | None:
    m = rules.COMMENT_COUNT_RE.search(text)
    if m:
        raw = m.group(1) or m.group(2) or ""
        digits = re.sub(r"\D", "", raw)
        if digits:
            return int(digits)
    if rules.NO_COMMENTS_RE.match(text):
        return 0
    return None


def _comments_of(nodes: list[LexborNode], base: str | None) -> tuple[int | None, list[LexborNode]]:
    used: list[LexborNode] = []
    value: int | None = None
    for n in _walk(nodes):
        toks = tokens_of(n)
        href = n.attributes.get("href") if n.tag == "a" else None
        is_link = bool(href and rules.COMMENT_HREF_RE.search(href))
        if not (is_link or toks & {"comments", "comment", "comments-link", "comment-count", "comment-link",
                                   "commentcount", "comments-count", "post-comments"}):
            continue
        text = node_text(n)
        if len(text) > 60:
            continue
        used.append(n)
        if value is None:
            c = _count(text)
            if c is None and text.isdigit() and (is_link or "count" in " ".join(toks)):
                c = int(text)
            value = c
    if value is None:
        # "Comments (3)" as plain text in a flat post
        for n in _walk(nodes):
            text = node_text(n)
            if 3 <= len(text) <= 40 and not has_descendant(n, "p, div"):
                c = _count(text)
                if c is not None:
                    return c, used + [n]
    return value, used


def _tags_of(nodes: list[LexborNode]) -> tuple[list[str], list[LexborNode]]:
    tags: list[str] = []
    used: list[LexborNode] = []
    for n in _walk(nodes):
        if n.tag == "a" and "tag" in (n.attributes.get("rel") or "").lower().split():
            t = node_text(n)
            if t and t not in tags:
                tags.append(t)
        elif tokens_of(n) & rules.TAG_CONTAINER_TOKENS:
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
        if rules.CHROME_LINE_RE.match(line) or rules.READ_MORE_RE.fullmatch(line.strip(" .…»›→")):
            return True
        if len(line) <= 60 and rules.READ_MORE_RE.search(line):
            return True
        if len(line) <= 40 and (_count(line) is not None or re.match(r"^(?:leave\s+a\s+(?:comment|reply)|"
                                                                       r"\d*\s*comments?)\W*$", line, re.I)):
            return True
        d = find_date(line, dayfirst=dayfirst)
        if d:
            rest = rules.BYLINE_RE.sub("", line)
            letters = re.sub(r"[\W\d_]+", "", rest)
            if len(letters) + 2 * len(_CJK.findall(letters)) <= 25:
                return True
        if re.match(r"^(?:posted\s+by|by|written\s+by)\b", line, re.I) and len(line) < 80:
            return True
        return False

    start, end = 0, len(lines)
    while start < end and start < 4 and is_meta(lines[start]):
        start += 1
    while end > start and len(lines) - end < 4 and is_meta(lines[end - 1]):
        end -= 1
    return lines[start:end]


def _text_lines(nodes: list[LexborNode]) -> list[str]:
    parts = []
    for n in nodes:
        if n.is_text_node:
            parts.append(n.text_content or "")
        else:
            parts.append(n.text(deep=True, separator="", strip=False))
            parts.append("\n\n")
    raw = "".join(parts)
    lines = []
    for block in _LINES.split(raw):
        sub = [_SPACES.sub(" ", s).strip() for s in block.split("\n")]
        line = "\n".join(s for s in sub if s)
        if line:
            lines.append(line)
    return lines


def _is_meta_container(n: LexborNode, title_len: int) -> bool:
    toks = tokens_of(n)
    if n.tag == "header":
        return len(node_text(n)) <= title_len + 250
    if n.tag == "footer":
        return len(node_text(n)) <= 400
    if toks & rules.CHROME_TOKENS and not toks & {"content", "entry-content", "post-content", "body", "text"}:
        return True
    if toks & _META_TOKENS:
        return len(node_text(n)) <= 300 and not toks & {"entry-content", "post-content", "content", "summary",
                                                         "excerpt", "entry-summary", "text", "body"}
    return False


def extract_fields(doc: Document, member: LexborNode, link: str | None, nodes: list[LexborNode]) -> Fields:
    """Read one post's fields off its region, then strip meta to get its text."""
    f = Fields()
    f.title = title_text(member) or None
    f.url = link
    dayfirst = _dayfirst(doc.lang)
    m = _URL_YEAR.search(link or "")
    year = int(m.group(1)) if m else None
    region_ids = {n.mem_id for n in nodes if n.is_element_node}

    f.date, date_nodes = _date_of(nodes, dayfirst, year)
    if f.date is None:
        f.date = _preceding_date(nodes[0], dayfirst, year)
    f.author, author_nodes = _author_of(nodes, member)
    f.comments, comment_nodes = _comments_of(nodes, doc.base_url)
    f.tags, tag_nodes = _tags_of(nodes)

    # what is not the post's own text
    top = _title_top(member, region_ids)
    drop: list[LexborNode] = [] if top.mem_id in region_ids else [top]
    drop += date_nodes + author_nodes + comment_nodes + tag_nodes
    read_more = False
    title_len = len(f.title or "")
    for n in _walk(nodes):
        if n.tag == "a":
            t = node_text(n)
            if t and len(t) <= 60 and rules.READ_MORE_RE.search(t):
                drop.append(n)
                read_more = True
        elif n.mem_id not in region_ids and _is_meta_container(n, title_len):
            drop.append(n)
    _decompose_all(drop, region_ids)
    if top.mem_id in region_ids:
        # the title is a region node of its own (flat posts): the text is the rest
        nodes = [n for n in nodes if n.mem_id != top.mem_id]

    lines = _text_lines(nodes)
    lines = _meta_lines_filter(lines, f.title, dayfirst)
    if lines:
        last = rules.TEASER_TAIL_RE.sub("", lines[-1]).rstrip()
        if last != lines[-1]:
            read_more = True
        if last:
            lines[-1] = last
        else:
            lines.pop()
    text = "\n\n".join(lines).strip()
    f.text = text or None
    if f.text:
        if _ELLIPSIS_END.search(f.text):
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
