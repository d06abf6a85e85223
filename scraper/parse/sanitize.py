"""Sanitised HTML of a post: structure and links kept; scripts, styles, event
handlers, forms and presentational attributes gone; links made absolute."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..urls import resolve
from .dom import elements_of

__all__ = ["sanitize_html", "ALLOWED_TAGS"]

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "a", "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "mark", "q", "cite",
    "abbr", "time", "code", "pre", "kbd", "samp", "var", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "img", "figure", "figcaption", "picture", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "caption", "del", "ins", "span", "div",
})
_DROP = ("script", "style", "form", "input", "button", "select", "textarea", "iframe", "object", "embed",
         "noscript", "template", "svg", "canvas", "link", "meta", "nav", "dialog")
_DROP_SELECTOR = ", ".join(_DROP)


def _start_tags(tags: tuple[str, ...]) -> re.Pattern[str]:
    """``<tag`` for any of the tags, ignoring case. Grouped by first letter, with
    the letters in a lookahead: most tags in a post ("<p", "<a") fail on one test."""
    by_letter: dict[str, list[str]] = {}
    for tag in tags:
        by_letter.setdefault(tag[0], []).append(tag)
    groups = "|".join("(?:" + "|".join(group) + ")" for group in by_letter.values())
    return re.compile(f"<(?=[{''.join(by_letter)}])(?:{groups})", re.IGNORECASE)


# An element of these kinds can only come from its own start tag (the parser
# invents html, head, body, tbody, tr, colgroup, p and br, never these), so HTML
# without one has none to drop.
_DROP_HINT = _start_tags(_DROP)
_ATTRS = {"a": ("href", "title"), "img": ("src", "alt", "title", "width", "height"), "time": ("datetime",),
          "td": ("colspan", "rowspan"), "th": ("colspan", "rowspan", "scope"), "abbr": ("title",),
          "blockquote": ("cite",), "q": ("cite",), "ol": ("start",)}
_SAFE_URL = re.compile(r"^(?:https?:|/|\.|#|[^:]*$)", re.IGNORECASE)
# Runs of whitespace holding three or more line breaks (from the first break to the
# run's end): r"\n\s*\n\s*(?:\n\s*)+" without its backtracking on every "\n\n".
_BLANKS = re.compile(r"\n[^\S\n]*\n[^\S\n]*\n\s*")


def _drop(root: LexborNode) -> None:
    """Remove every _DROP element with its content, in one query: an element
    inside another one removed goes with it (and must not be touched again)."""
    found = root.css(_DROP_SELECTOR)
    if not found:
        return
    ids = {n.mem_id for n in found}
    outer = []
    for n in found:
        p = n.parent
        while p is not None and p.mem_id not in ids:
            p = p.parent
        if p is None:
            outer.append(n)
    for n in outer:
        n.decompose()


def _clean_node(root: LexborNode, base: str | None, dropping: bool = True) -> None:
    if dropping:
        _drop(root)
    unwrap = []
    for n in elements_of(root):
        tag = n.tag
        if tag not in ALLOWED_TAGS:
            unwrap.append(n)
            continue
        present = n.attributes  # a snapshot; changes go through attrs
        if not present:
            continue  # nothing to drop, nothing to resolve
        keep = _ATTRS.get(tag, ())
        attrs = n.attrs
        if tag == "img" and not present.get("src"):
            lazy = present.get("data-src") or present.get("data-lazy-src")
            if lazy:
                attrs["src"] = lazy
                present = n.attributes
        for name in present:
            if name not in keep:
                del attrs[name]
        for name in ("href", "src"):
            if name in keep and name in present:
                value = (present[name] or "").strip()
                if not value or not _SAFE_URL.match(value):
                    del attrs[name]
                else:
                    absolute = resolve(base, value)
                    if absolute:
                        attrs[name] = absolute
    for n in reversed(unwrap):
        n.unwrap()


# An element with nothing inside (whitespace at most), as the sanitiser writes it.
_EMPTY_ELEMENT = re.compile(
    r"<(p|div|span|li|ul|ol|dl|dt|dd|blockquote|h[1-6]|strong|em|b|i|u|small|a|figure|figcaption|section)"
    r"(?:\s[^<>]*)?>(?:\s|&nbsp;|&#160;|\u00a0)*</\1>")


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _drop_empty(html: str) -> str:
    """Remove HTML comments, and elements left empty once meta and links were taken
    out (an empty <p> that held "Comments (3)"); again, for parents left empty."""
    if "<!--" in html:
        html = _COMMENT.sub("", html)
    for _ in range(4):
        html, n = _EMPTY_ELEMENT.subn("", html)
        if not n:
            break
    return html


def sanitize_html(nodes: list[LexborNode], base: str | None) -> str:
    """Sanitised HTML for a region (one node, or a run of flat siblings)."""
    pieces = []
    for n in nodes:
        if n.is_text_node:
            pieces.append(n.html or "")
        elif n.is_element_node:
            pieces.append(n.html or "")
    html = "".join(pieces)
    if not html.strip():
        return ""
    tree = LexborHTMLParser(f"<div id=__root>{html}</div>")
    body = tree.body
    # the wrapper opens the document, so it is the body's first child
    root = body.first_child if body is not None else None
    if root is None:
        return ""
    _clean_node(root, base, dropping=bool(_DROP_HINT.search(html)))
    out = _drop_empty(root.inner_html or "")
    return _BLANKS.sub("\n\n", out).strip()
