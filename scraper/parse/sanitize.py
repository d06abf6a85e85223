"""Sanitised HTML of a post: structure and links kept; scripts, styles, event
handlers, forms and presentational attributes gone; links made absolute."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..urls import resolve

__all__ = ["sanitize_html", "ALLOWED_TAGS"]

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "a", "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "mark", "q", "cite",
    "abbr", "time", "code", "pre", "kbd", "samp", "var", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "img", "figure", "figcaption", "picture", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "caption", "del", "ins", "span", "div",
})
_DROP = ("script", "style", "form", "input", "button", "select", "textarea", "iframe", "object", "embed",
         "noscript", "template", "svg", "canvas", "link", "meta", "nav", "dialog")
_ATTRS = {"a": ("href", "title"), "img": ("src", "alt", "title", "width", "height"), "time": ("datetime",),
          "td": ("colspan", "rowspan"), "th": ("colspan", "rowspan", "scope"), "abbr": ("title",),
          "blockquote": ("cite",), "q": ("cite",), "ol": ("start",)}
_SAFE_URL = re.compile(r"^(?:https?:|/|\.|#|[^:]*$)", re.IGNORECASE)
_BLANKS = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


def _clean_node(root: LexborNode, base: str | None) -> None:
    for tag in _DROP:
        for n in root.css(tag):
            n.decompose()
    unwrap = []
    for n in root.css("*"):
        tag = n.tag
        if tag not in ALLOWED_TAGS:
            unwrap.append(n)
            continue
        keep = _ATTRS.get(tag, ())
        attrs = n.attrs
        if tag == "img" and not attrs.get("src"):
            lazy = attrs.get("data-src") or attrs.get("data-lazy-src")
            if lazy:
                attrs["src"] = lazy
        for name in list(attrs.keys()):
            if name not in keep:
                del attrs[name]
        for name in ("href", "src"):
            if name in keep and name in attrs:
                value = (attrs[name] or "").strip()
                if not value or not _SAFE_URL.match(value):
                    del attrs[name]
                else:
                    absolute = resolve(base, value)
                    if absolute:
                        attrs[name] = absolute
    for n in reversed(unwrap):
        n.unwrap()


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
    root = tree.css_first("#__root")
    if root is None:
        return ""
    _clean_node(root, base)
    out = root.inner_html or ""
    return _BLANKS.sub("\n\n", out).strip()
