"""The link to the next (older) page of a listing, across CMSs and languages.

Evidence, strongest first: ``rel=next``; a link whose words say "next"/"older" in
one of many languages; the link after the current page in a numbered pager; a link
whose URL is this page's URL with its page number plus one. Never a link to a
previous page, to the page itself, to a post, or to a calendar.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from ..urls import canonical_url, is_http_url, resolve, same_site
from . import rules
from .dom import ClassNames, Document, TextMemo, class_or_id_containing, node_text

__all__ = ["find_next", "page_number"]

_DIGIT = re.compile(r"\d")

_NEXT_CLASS = frozenset({"next", "older", "nextpostslink", "next-page", "pagination-next", "nav-previous",
                         "next_page", "nextpage", "page-next", "older-posts", "older-entries", "pager-next",
                         "blog-pager-older-link", "prev-next", "pagination__next"})
_PREV_CLASS = frozenset({"prev", "previous", "newer", "nav-next", "previouspostslink", "prev-page",
                         "pagination-prev", "page-prev", "newer-posts", "newer-entries", "pager-prev",
                         "blog-pager-newer-link", "pagination__prev"})
# Every name in _NEXT_CLASS and _PREV_CLASS holds one of these words: an element
# whose class and id hold none of them names no direction (one query finds the rest).
_SIDED_SUPERSET = class_or_id_containing("next", "older", "prev", "newer")
_PAGER_TOKENS = frozenset({"pagination", "pager", "pages", "page-numbers", "paginator", "pagenavi",
                           "wp-pagenavi", "nav-links", "paging", "pagenav", "page-nav", "blog-pager"})


def page_number(url: str) -> int | None:
    """The page number a listing URL carries (?page=3, /page/3/, index3.html), if any."""
    m = rules.PAGE_PARAM_RE.search(url)
    if m:
        return int(m.group(1))
    m = rules.PAGE_PATH_RE.search(url.split("?", 1)[0])
    if m:
        for g in m.groups():
            if g:
                return int(g)
    return None


def _label(a: LexborNode, attrs: dict[str, str | None], text_of: TextMemo) -> str:
    text = text_of(a)
    if not text:
        text = (attrs.get("aria-label") or attrs.get("title") or "").strip()
    return text


_NO_TOKENS: frozenset[str] = frozenset()


# A superset of the elements _PAGER_TOKENS name: each of those words holds "pag" or
# is "nav-links". Lexbor compares ASCII letters ignoring case; str.lower() also turns
# the Kelvin sign into "k", hence the odd selector.
_PAGER_SUPERSET = class_or_id_containing("pag", "nav-links", "nav-lin\u212as")


class _Pager:
    """Answers "is this anchor inside a pager?" (a nav, or an element with a pager
    class, at most four levels up) for one page.

    For the links of the page the answer is worked out once, from the few pagers
    down to their links, rather than from every link up through its ancestors."""

    def __init__(self, body: LexborNode, classes: ClassNames) -> None:
        self._pager: dict[int, bool] = {}
        self._classes = classes
        self._links: set[int] = set()
        boxes = body.css("nav, " + _PAGER_SUPERSET)
        p = body.parent
        while p is not None:  # above the body, where no query looks
            boxes.append(p)
            p = p.parent
        for box in boxes:
            if not self._is_pager(box):
                continue
            key = box.mem_id
            for a in box.css("a[href]"):
                up = a.parent
                for _ in range(4):
                    if up is None:
                        break
                    if up.mem_id == key:
                        self._links.add(a.mem_id)
                        break
                    up = up.parent

    def _is_pager(self, node: LexborNode) -> bool:
        key = node.mem_id
        hit = self._pager.get(key)
        if hit is None:
            hit = self._pager[key] = node.tag == "nav" or bool(
                self._classes.of(node.attributes)[1] & _PAGER_TOKENS)
        return hit

    def holds_link(self, a: LexborNode) -> bool:
        """``holds(a)`` for an anchor with an href."""
        return a.mem_id in self._links

    def holds(self, a: LexborNode) -> bool:
        p = a.parent
        for _ in range(4):
            if p is None:
                return False
            if self._is_pager(p):
                return True
            p = p.parent
        return False


def _acceptable(url: str | None, here: str | None, here_canonical: str | None, posts: set[str]) -> bool:
    if not url or not is_http_url(url):
        return False
    if here and canonical_url(url) == here_canonical:
        return False
    if url in posts:
        return False
    if rules.CALENDAR_HREF_RE.search(url) and not (here and rules.CALENDAR_HREF_RE.search(here)):
        return False
    return True


def _current_page(body: LexborNode, pager: _Pager) -> int | None:
    """The number the pager marks as this page, if it marks one."""
    for cur in body.css("[aria-current=page], .current, .active, .selected, .on"):
        t = node_text(cur)
        if t.isdecimal() and (cur.tag != "a" or pager.holds(cur)):
            return int(t)
    return None


def _number_score(label: str, a: LexborNode, current_num: int | None, here_page: int | None,
                  pager: _Pager) -> float:
    """Evidence from a numbered pager: the link labelled one past this page."""
    if not label.isdecimal():  # "²" and "①" are digits int() refuses
        return 0.0
    n = int(label)
    if current_num is not None and n == current_num + 1 and pager.holds_link(a):
        return 4.0
    if here_page is not None and n == here_page + 1:
        return 3.0
    if current_num is None and here_page is None and n == 2 and pager.holds_link(a):
        return 2.5
    return 0.0


def find_next(doc: Document, post_links: set[str] | None = None, *, texts: TextMemo | None = None) -> str | None:
    """Absolute URL of the next page, or None when this is the last (or only) page.
    ``texts``: node texts already read off this (unchanged) page, to share.

    Each anchor is scored on what it shows first (rel, label, classes, pager);
    only those that could still reach the bar once their URL is counted get their
    URL resolved and checked, which is most of the cost."""
    posts = post_links or set()
    base = doc.base_url
    here = doc.page_url
    here_canonical = canonical_url(here) if here else None
    body = doc.body
    scored: list[tuple[float, int, str]] = []
    if doc.link_next:
        url = resolve(base, doc.link_next)
        if _acceptable(url, here, here_canonical, posts):
            scored.append((10.0, 0, url))  # type: ignore[arg-type]
    if body is None:
        return _unfragmented(scored[0][2]) if scored else None
    here_page = page_number(here) if here else None
    expected = (here_page or 1) + 1
    base_digit = bool(base and _DIGIT.search(base))  # a relative link's URL takes the base's digits
    anchors = body.css("a[href]")
    text_of = texts or TextMemo()
    classes = doc.classes
    pager = _Pager(body, classes)
    current_num = _current_page(body, pager)
    sided = {n.mem_id for n in body.css(_SIDED_SUPERSET)}
    for pos, a in enumerate(anchors):
        attrs = a.attributes
        rel_attr = attrs.get("rel")
        rel = rel_attr.lower().split() if rel_attr else ()
        if "prev" in rel or "previous" in rel:
            continue
        label = _label(a, attrs, text_of)
        named = bool(label and rules.NEXT_WORDS.match(label))
        parent = a.parent
        if a.mem_id in sided or (parent is not None and parent.mem_id in sided):
            own = classes.of(attrs)[1]
            up = classes.of(parent.attributes)[1] if parent is not None else _NO_TOKENS
        else:
            own = up = _NO_TOKENS  # no class or id names a direction
        forward = not (_NEXT_CLASS.isdisjoint(own) and _NEXT_CLASS.isdisjoint(up))
        score = (8.0 if "next" in rel else 0.0) + (5.0 if named else 0.0) + (3.0 if forward else 0.0)
        bonus = _number_score(label, a, current_num, here_page, pager)
        # the URL adds at most 1.5 (its page number), and being in a pager 1 more
        reach = score + bonus + 1.5
        if reach < 2.5 and (reach + 1 < 2.5 or not pager.holds_link(a)):
            continue
        # vetoes, asked only of links that could otherwise win
        if not named and label and len(label) < 40 and rules.PREV_WORDS.search(label):
            continue
        if score < 5 and not (_PREV_CLASS.isdisjoint(own) and _PREV_CLASS.isdisjoint(up)):
            continue
        score += bonus
        href = attrs.get("href") or ""
        if score == 0 and not _DIGIT.search(href) and (not base_digit or href.startswith(("/", "http:", "https:"))):
            continue  # a plain link in a pager, to a URL with no page number
        url = resolve(base, href)
        if not url:
            continue
        num = page_number(url)
        if score == 0 and num != expected:
            continue  # a plain link in a pager: only its page number could carry it
        if not _acceptable(url, here, here_canonical, posts):
            continue
        if num is not None:
            if num == expected:
                score += 1.5
            elif here_page is not None and num <= here_page:
                score -= 3
        if score > 0 and pager.holds_link(a):
            score += 1
        if score >= 2.5:
            scored.append((score, pos + 1, url))  # type: ignore[arg-type]
    if not scored:
        return None
    # an on-site link wins over any off-site one; an off-site next link is still
    # returned when it is all there is, so the crawler can say it did not follow it
    scored.sort(key=lambda s: (not (here is None or same_site(s[2], here)), -s[0], s[1]))
    return _unfragmented(scored[0][2])


def _unfragmented(url: str) -> str:
    """The next page's address without its "#content" jump: the same page, and
    the form a crawler's seen-set and its state expect."""
    return url.split("#", 1)[0]
