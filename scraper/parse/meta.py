"""A post's meta read off its region: date, author, comment count, tags.

Each reader returns its value and the nodes it was read from, so that
``fields.py`` can take those nodes out of the post's text."""

from __future__ import annotations

import re
from functools import lru_cache

from selectolax.lexbor import LexborNode

from . import rules
from .candidates import text_len
from .dates import find_date, parse_iso
from .dom import elements_of, node_text, norm
from .region import BELOW_BLOCK, BELOW_P_DIV, BELOW_P_DIV_LI, Region

__all__ = ["date_of", "author_of", "comments_of", "tags_of", "tag_line", "clean_author", "comment_count"]

_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_ONLY_PUNCT = re.compile(r"^[\W_]*$")
_DIGIT = re.compile(r"\d")  # every date find_date reads has one
_CHANGED = frozenset({"updated", "modified"})
_URLISH = re.compile(r"://|\bwww\.")
_HANDLE = re.compile(r"^[^\W\d_][\w.\-]{1,24}$")
# "This entry was posted in News on March 3, 2015 by admin": a long meta line, not a sentence
_META_LINE_WORDS = re.compile(r"\b(?:posted|published|filed\s+under|written\s+by|this\s+entry)\b", re.IGNORECASE)
_FIELD_SEPARATOR = re.compile(r"[|·•]")  # a meta line's fields; a sentence has none
_TWO_DIGITS = re.compile(r"\d{2}")
_NON_DIGITS = re.compile(r"\D")
_COMMENT_TOKENS = frozenset({"comments", "comment", "comments-link", "comment-count", "comment-link",
                             "commentcount", "comments-count", "post-comments"})




def date_of(region: Region, dayfirst: bool, year: int | None,
            title: LexborNode | None = None) -> tuple[str | None, list[LexborNode]]:
    """First date shown in the region; prefers <time> and date-classed elements.
    The last resort reads short lines, never the title ("Bugzilla 3.4.13")."""
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
        if machine and shown and machine[:10] != shown[:10] and _swapped(shown, machine):
            shown = machine[:10]  # "08/12/2014" read month first, where the machine date says day first
        if machine and (not shown or machine[:10] == shown[:10]):
            value = machine if len(machine) > len(shown or "") else shown
            if value is machine and not _TIME_SHOWN.search(shown or "") and _MIDNIGHT.match(machine[10:]):
                value = machine[:10]  # a date stored as midnight: the page shows no time
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
                if not v and tags[i] == "abbr":  # <abbr class=published title=ISO>8:59 PM</abbr>
                    v = parse_iso(attrs[i].get("title"))
                if v:
                    return v, [region.els[i]]
    # short lines anywhere in the region ("11 April, 2011 Posted by: -"); a date needs a digit
    if not region.mentions(_DIGIT):
        return None, []
    below = region.below()
    skip = {n.mem_id for n in elements_of(title)} if title is not None else set()
    ids = region.ids
    for i, tag in enumerate(tags):
        if tag == "a" or below[i] <= BELOW_BLOCK or ids[i] in skip:
            continue
        text = text_of(i)
        # a line, not a paragraph that mentions a day (CJK counts about thrice), nor
        # an address that carries one ("…/2013/05/13/story")
        if (4 <= len(text) <= 120 and text_len(text) <= 160
                and (len(text) <= 60 or text.count(" ") < 12 or _FIELD_SEPARATOR.search(text)
                     or _META_LINE_WORDS.search(text))
                and not _URLISH.search(text)):
            v = date_in(text)
            if v:
                return v, [region.els[i]]
    if title is not None:  # a title that is a date ("Saturday, June 29, 2024"): the post's day
        text = node_text(title)
        if len(text) <= 40 and text.count(" ") <= 5:
            v = date_in(text)
            if v:
                return v, []
    return None, []


def _runs_on(line_value: str, name: str) -> bool:
    """Whether a byline line's value is the name and then more that is not another
    name ("atlascontact Nieuws"; not "Ann and Bob", "Ann, Bob")."""
    if not line_value.startswith(name) or line_value == name:
        return False
    rest = line_value[len(name):].strip()
    return not rest.startswith((",", "&")) and rest.split()[0].lower() not in _NAME_JOINERS


def _swapped(shown: str, machine: str) -> bool:
    """Whether the shown date is the machine date with day and month read the other way."""
    return len(shown) >= 10 and shown[:4] == machine[:4] and shown[5:7] == machine[8:10] and shown[8:10] == machine[5:7]


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
    if _TWO_DIGITS.search(text) or (_DIGIT.search(text) and find_date(text, default_year=2000)):
        return None  # a date ("February 9") is no name
    return text


_LABEL_ONLY = re.compile(r"^(?:posted|written|published)?\s*(?:by|von|por|par)?\s*[:：]?\s*[-–—]?$", re.IGNORECASE)
_BYLINE_IN_LINE = re.compile(
    r"(?:^|[|·•—–]\s*|\d\s+)(?:posted\s+by|written\s+by|author|by|por|von|par)\s*[:：]?\s+(.+)", re.IGNORECASE)
# Every text _BYLINE_IN_LINE matches holds one of these.
_BYLINE_WORDS = ("author", "by", "por", "von", "par")
_TIME_SHOWN = re.compile(r"\d{1,2}[:h]\d{2}")
_MIDNIGHT = re.compile(r"^T00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?$")
_AUTHOR_NAMES = frozenset({"author", "authors", "byline", "vcard", "fn", "p-author", "h-card", "entry-author",
                           "post-author", "author-name", "article-author", "byline-author", "post-byline",
                           "entry-byline", "by-author", "meta-author", "author-link", "posted-by", "autor",
                           "avatar__name", "author-info", "post-author-name", "createdby", "username"})
_NOT_NAMES = frozenset({"posted", "by", "author", "written", "published", "unknown", "anonymous", "submitted"})
# class words of an author's box rather than a byline ("author-bio", "avatar")
_NOT_BYLINE = frozenset({"author-bio", "authorbox", "avatar", "bio", "box", "about", "description", "posts"})
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


def author_of(region: Region, skip: LexborNode) -> tuple[str | None, list[LexborNode]]:
    skip_ids = {n.mem_id for n in elements_of(skip)}
    tags, attrs, ids, names = region.tags, region.attrs, region.ids, region.names
    for i, a in enumerate(attrs):
        if not a or ids[i] in skip_ids:
            continue  # without attributes, nothing names an author
        rel = a.get("rel")
        toks = region.tokens[i]
        if ((rel and "author" in rel.lower().split()) or a.get("itemprop") == "author" or names[i] & _AUTHOR_NAMES
                or a.get("property") == "author"
                or (tags[i] == "a" and rules.AUTHOR_HREF_RE.search(a.get("href") or ""))
                or ("author" in toks and len(region.text(i)) <= 60)):
            if toks & _NOT_BYLINE:
                continue
            n = region.els[i]
            name = n.css_first("[itemprop=name], .fn, .p-name")
            text = node_text(name) if name is not None else region.text(i) or (a.get("content") or "")
            if not text or len(text) > 200:
                continue
            own = text
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
            if own is not text:
                mine = clean_author(own)
                if not value or (mine and _runs_on(value, mine)):
                    value = mine  # the line around the name could not be read, or runs on past it
            if value:
                return value, [n]
    if not region.mentions_word(_BYLINE_WORDS):
        return _unlabelled_author(region, skip_ids), []
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
                if value and (_looks_like_name(value) or (_DIGIT.search(text) and _HANDLE.match(value))):
                    # (a one-word handle, "henrik", on a meta line that also gives the date)
                    # an element that is just the byline ("by: Chris,") leaves the text with it
                    return value, [region.els[i]] if len(text) <= len(value) + 15 else []
    return _unlabelled_author(region, skip_ids), []


_FIELD_SPLIT = re.compile(r"\s*[·|•]\s*")
_WORD_COUNT = re.compile(r"^\d[\d,.\s]*(?:字|words?|mots|wörter|palabras|parole|слов\w*)$", re.IGNORECASE)


def _unlabelled_author(region: Region, skip_ids: set[int]) -> str | None:
    """The name in a meta line of separated fields where every other field is a
    date, a reading time, a word count or a comment count ("Dec 1, 2024 · 2 min ·
    751 字 · Niuhe"): what is left is who wrote it."""
    if not region.mentions(_FIELD_SEPARATOR):
        return None  # (most posts: no separated fields anywhere)
    below = region.below()
    for i in range(len(region)):
        if below[i] <= BELOW_P_DIV_LI or region.ids[i] in skip_ids:
            continue
        text = region.text(i)
        if not 12 <= len(text) <= 160:
            continue
        if not _FIELD_SEPARATOR.search(text):
            continue
        fields = [f for f in _FIELD_SPLIT.split(text) if f]
        if len(fields) < 3:
            continue
        rest = [f for f in fields if not (find_date(f) or rules.READING_TIME_RE.match(f) or _WORD_COUNT.match(f)
                                          or comment_count(f) is not None)]
        if len(rest) == 1 and len(rest) < len(fields) - 1 and any(find_date(f) for f in fields):
            if any(node_text(a) == rest[0] and _tag_href(a.attributes.get("href")) for a in region.els[i].css("a[href]")):
                continue  # a category ("· Graphics" linking to /categories/graphics/), not a name
            value = clean_author(rest[0])
            if value and not _DIGIT.search(value) and (_looks_like_name(value) or _HANDLE.match(value)
                                                        or rules.CJK_RE.search(value)):
                return value
    return None


def comment_count(text: str) -> int | None:
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


# Every text that COMMENT_COUNT_RE or NO_COMMENTS_RE matches holds one of these
# (each of rules.COMMENT_WORDS holds one).
_COMMENT_WORDS = ("comment", "respons", "repl", "respuesta", "comentario", "kommentar", "kommentti", "reactie",
                  "komentá", "komentarz", "коммент", "коментар", "コメント", "评论", "評論", "留言", "댓글", "yorum",
                  "hozzászólás")


@lru_cache(maxsize=4096)
def _comment_named(tokens: frozenset[str]) -> bool:
    """Class tokens that name a comment count ("comments-link", "ncomments"). A pure
    function of a page template's few class sets, so it is remembered."""
    return bool(tokens & _COMMENT_TOKENS) or any("comment" in t for t in tokens)


def comments_of(region: Region) -> tuple[int | None, list[LexborNode]]:
    used: list[LexborNode] = []
    value: int | None = None
    tags, attrs, tokens = region.tags, region.attrs, region.tokens
    for i, tag in enumerate(tags):
        toks = tokens[i]
        href = attrs[i].get("href") if tag == "a" else None
        is_link = bool(href and rules.COMMENT_HREF_RE.search(href))
        if not (is_link or (toks and _comment_named(toks))):
            continue
        text = region.text(i)
        if len(text) > 60:
            continue
        used.append(region.els[i])
        if value is None:
            c = comment_count(text)
            if c is None and text.isdecimal() and len(text) <= 6:
                # a bare number in a comments bubble ("<span class=meta-comment>1</span>")
                c = int(text)
            value = c
    if value is None and region.mentions_word(_COMMENT_WORDS):
        # "Comments (3)" as plain text in a flat post
        for i, low in enumerate(region.below()):
            if low <= BELOW_P_DIV:
                continue
            text = region.text(i)
            if 3 <= len(text) <= 40:
                c = comment_count(text)
                if c is not None:
                    return c, used + [region.els[i]]
    return value, used


def tags_of(region: Region) -> tuple[list[str], list[LexborNode]]:
    """Tag and category names: ``rel=tag`` links, the links of a tag container, and
    links to tag or category pages that stand on a line of their own ("#css",
    "in News, Tech"). Such a line, and a container, are returned to be taken out
    of the text."""
    tags: list[str] = []
    used: list[LexborNode] = []
    lines: dict[int, tuple[LexborNode, list[str]]] = {}  # tag links by parent
    tokens = region.tokens
    for i, tag in enumerate(region.tags):
        if tag == "a":
            attrs = region.attrs[i]
            rel = "tag" in (attrs.get("rel") or "").lower().split()
            if not rel and not _tag_href(attrs.get("href")):
                continue
            t = region.text(i).lstrip("#").strip()
            if not t or len(t) > 60 or rules.READ_MORE_RE.search(t):
                continue  # (Drupal puts rel=tag on its "Read more" link)
            if not rel and (len(t) > 40 or t.count(" ") > 3):
                continue  # a sentence linking to a tag page is text, not a tag
            parent = region.els[i].parent
            if parent is not None:
                lines.setdefault(parent.mem_id, (parent, []))[1].append(t)
            if rel and t not in tags:
                tags.append(t)
        elif tokens[i] & rules.TAG_CONTAINER_TOKENS:
            n = region.els[i]
            links = n.css("a")
            if links:
                used.append(n)
                for a in links:
                    t = node_text(a).lstrip("#").strip()
                    if t and t not in tags:
                        tags.append(t)
    for parent, names in lines.values():
        if parent.mem_id in region.root_ids or not tag_line(region.node_text(parent), names):
            continue
        used.append(parent)
        for t in names:
            if t not in tags:
                tags.append(t)
    return tags, used


def _tag_href(href: str | None) -> bool:
    """``TAG_HREF_RE.search(href)``, the pattern asked only of the few links whose
    address holds one of its words."""
    if not href:
        return False
    low = href.lower()
    return ("tag" in low or "categor" in low or "label" in low or "taxonomy" in low) and bool(rules.TAG_HREF_RE.search(href))


_TAG_LINE_WORDS = re.compile(r"[^\W\d_]+")


def _tag_line_rest(line: str, names: list[str]) -> str:
    """What a line says besides the tag names standing in it as words of their own
    ("C" in "C, CUDA", not in "CMU"; "吐槽" alone, not in "吐槽不喜勿入")."""
    for t in sorted(names, key=len, reverse=True):
        if t in line:
            line = re.sub(rf"(?<!\w){re.escape(t)}(?!\w)", " ", line)
    return line


def tag_line(line: str, names: list[str]) -> bool:
    """A line of tag links: besides the names, at most a short label ("Tags:",
    "Posted in", "分类于") and separators."""
    rest = _tag_line_rest(line, names)
    if rest == line:
        return False  # no tag name in it
    words = _TAG_LINE_WORDS.findall(rest)
    letters = text_len("".join(words))
    return len(words) <= 3 and letters <= 20
