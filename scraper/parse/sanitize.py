"""Sanitised HTML of a post: structure and links kept; scripts, styles, event
handlers, forms and presentational attributes gone; links made absolute.

The work is done on the region's serialisation rather than on a parsed copy of it.
Lexbor writes HTML in one canonical form: tag names in lower case; every attribute
as ``name="value"`` with ``&``, ``"``, ``<``, ``>`` and U+00A0 escaped; text with
``&``, ``<``, ``>`` and U+00A0 escaped. Outside comments, raw-text elements and the
odd attribute name holding a "<", every "<" opens a tag, and a few regex passes,
most without a Python call per match, do what re-parsing the region and walking the
copy in Python did, in little more than half the time. Foreign content and
<plaintext>, whose serialisation is not canonical, still go through a parsed copy.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..urls import resolve
from .dom import decompose_outermost, elements_of

__all__ = ["sanitize_html", "ALLOWED_TAGS"]

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "a", "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "mark", "q", "cite",
    "abbr", "time", "code", "pre", "kbd", "samp", "var", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "img", "figure", "figcaption", "picture", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "caption", "del", "ins", "span", "div",
})
# Removed with their content.
_DROP = ("script", "style", "form", "input", "button", "select", "textarea", "iframe", "object", "embed",
         "noscript", "template", "svg", "canvas", "link", "meta", "nav", "dialog")
_DROP_SELECTOR = ", ".join(_DROP)
_VOID = frozenset({"input", "embed", "link", "meta"})
# Elements whose text Lexbor writes unescaped (those not dropped are unwrapped).
_RAW_TEXT = ("script", "style", "iframe", "noembed", "noframes", "xmp")
# Foreign content and <plaintext> go through a parsed tree: their serialisation is
# not canonical (raw text in a MathML <style>; a <plaintext> holding its own end tag).
_FOREIGN = ("math", "svg", "plaintext")
_ATTRS = {"a": ("href", "title"), "img": ("src", "alt", "title", "width", "height"), "time": ("datetime",),
          "td": ("colspan", "rowspan"), "th": ("colspan", "rowspan", "scope"), "abbr": ("title",),
          "blockquote": ("cite",), "q": ("cite",), "ol": ("start",)}
# Kept inside a table only, as a parser reading the region in a <div> would: a post
# that is a table row must not come out as a <tr> without a table.
_TABLE_PARTS = frozenset({"tr", "td", "th", "tbody", "thead", "tfoot", "caption"})


def _names(names: Iterable[str]) -> str:
    """A regex alternation of tag names, grouped by first letter: the engine tests
    one letter per group rather than every name."""
    by_letter: dict[str, list[str]] = {}
    for name in sorted(names):
        by_letter.setdefault(name[0], []).append(re.escape(name[1:]))
    return "(?:" + "|".join(f"{c}(?:{'|'.join(rest)})" for c, rest in by_letter.items()) + ")"


def _blank(group: int) -> str:
    """Whitespace and no-break spaces, as group ``group``, matched once (a lookahead
    then a reference to what it saw: neither backtracks)."""
    return rf"(?=(\s*(?:(?:&nbsp;|&#160;)\s*)*))\{group}"


# One scan for what the fast passes below cannot do on their own: a comment or a
# processing instruction (group 1); an element to drop with its content, a raw-text
# element (its text unescaped) or foreign content (group 2; names match as
# prefixes, "<navbar" only costs time); a "<" inside a tag (neither group), as in
# '<img src="a.png" </a>', read as attributes "<" and "a": a search for a tag or a
# comment could start there, so every tag must then be read in turn. A comment
# holding "<" may pass for one of the latter two, which only costs time.
_CHECK = re.compile(rf"<(?:([!?])|({_names(_DROP + _RAW_TEXT + _FOREIGN)})|[^!?>][^>]*<)")
# A comment (its text holds no "-->") or what Lexbor makes of "<?php ... ?>" (no ">").
_COMMENT = r"!--.*?-->|\?[^>]*>"
# The tokens of the walk: a comment; a raw-text element whole (its text holds no
# end tag of its name, so the first one closes it); a tag of a dropped or foreign
# element, or (_EVERY_TOKEN, when a tag holds "<") any tag.
_RAW = rf"({_names(_RAW_TEXT)})(?: [^>]*)?>(.*?)</\1>"
_TOKEN = re.compile(rf"<(?:{_COMMENT}|{_RAW}|(/?)({_names(_DROP + _FOREIGN)})( [^>]*)?>)", re.DOTALL)
_EVERY_TOKEN = re.compile(rf"<(?:{_COMMENT}|{_RAW}|(/?)([^\t\n\f\r />]+)([^>]*)>)", re.DOTALL)
_COMMENTS = re.compile(f"<(?:{_COMMENT})", re.DOTALL)
_TABLE_TAG = re.compile(rf"<(/?)(table|{_names(_TABLE_PARTS)})(?: [^>]*)?>")
# A tag not allowed, or an allowed one without _ATTRS whose attributes all go: split
# on it, the latter leave their name (group 1), the former nothing.
_STRIP = re.compile(rf"<(?:({_names(ALLOWED_TAGS - _ATTRS.keys())}) [^>]*|(?!/?{_names(ALLOWED_TAGS)}[ >])[^>]*)>")
_OPEN = {name: f"<{name}>" for name in ALLOWED_TAGS}
_LINKED = re.compile(rf"<({_names(_ATTRS)})( [^>]*)>")
_ATTR = re.compile(r' ([^ =]+|=[^ =]*)="([^"]*)"')
_SAFE_URL = re.compile(r"^(?:https?:|/|\.|#|[^:]*$)", re.IGNORECASE)
# An element with nothing inside but whitespace. The lookahead passes over end tags
# and tags followed by text at once.
_EMPTY_ELEMENT = re.compile(
    r"<(?=[^/>][^>]*>\s*(?:&|</))"
    r"(p|div|span|li|ul|ol|dl|dt|dd|blockquote|h[1-6]|strong|em|b|i|u|small|a|figure|figcaption|section)"
    rf"(?: [^>]*)?>{_blank(2)}</\1>")
# Runs of whitespace holding three or more line breaks (from the first break to the
# run's end): r"\n\s*\n\s*(?:\n\s*)+" without its backtracking on every "\n\n".
_BLANKS = re.compile(r"\n[^\S\n]*\n[^\S\n]*\n\s*")


def sanitize_html(nodes: list[LexborNode], base: str | None) -> str:
    """Sanitised HTML for a region (one node, or a run of flat siblings)."""
    html = "".join([n.html or "" for n in nodes if n.is_element_node or n.is_text_node])
    if not html.strip():
        return ""
    if "\r" in html:  # from "&#13;", written as is: a parser reads it as a line break
        html = html.replace("\r\n", "\n").replace("\r", "\n")
    comments = special = odd = False
    for mark, name in _CHECK.findall(html):
        if mark:
            comments = True
        elif name:
            special = True
        else:
            odd = True
    if special or odd:
        cleaned = _walk(html, _EVERY_TOKEN if odd else _TOKEN)
        if cleaned is None:
            return _finish(_sanitize_tree(html, base))
        html = cleaned
    elif comments:
        html = _COMMENTS.sub("", html)
    # From here on every "<" opens a tag. A table part's parent is a table part or a
    # table, so only a region starting at one can hold parts outside a table.
    if ("<t" in html or "<caption" in html) and any(n.tag in _TABLE_PARTS for n in nodes):
        html = _loose_table_parts_out(html)
    parts = _STRIP.split(html)  # text, tag name or None, text, ...
    if len(parts) > 1:
        parts[1::2] = map(_OPEN.get, parts[1::2])
        html = "".join(filter(None, parts))
    html = _LINKED.sub(_link_filter(base), html)
    return _finish(html)


def _finish(html: str) -> str:
    """Remove elements left empty once meta and links were taken out (an empty <p>
    that held "Comments (3)"), again for parents left empty; squeeze blank lines."""
    for _ in range(4):
        html, n = _EMPTY_ELEMENT.subn("", html)
        if not n:
            break
    return _BLANKS.sub("\n\n", html).strip()


def _walk(html: str, tokens: re.Pattern[str]) -> str | None:
    """The serialisation without comments, _DROP elements (with their content) and
    attribute names holding "<"; raw-text elements unwrapped, their text escaped.
    Nesting is counted by name only: the serialisation closes what it opens. None
    for foreign content and <plaintext>, their serialisation not being canonical
    (raw text in a MathML <style>; a <plaintext> holding its own end tag)."""
    out: list[str] = []
    pos = 0
    dropping, depth = "", 0
    for m in tokens.finditer(html):
        raw, text, slash, name, attrs = m.group(1, 2, 3, 4, 5)
        if name in _FOREIGN:
            return None
        if dropping:
            if name == dropping:
                depth += -1 if slash else 1
                if not depth:
                    dropping, pos = "", m.end()
            continue
        if name is not None and name not in _DROP and "<" not in m.group(0)[1:]:
            continue  # a tag as it is
        out.append(html[pos:m.start()])
        pos = m.end()
        if raw is not None:
            if raw not in _DROP:
                out.append(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                           .replace("\u00a0", "&nbsp;"))
        elif name in _DROP:
            if not slash and name not in _VOID:
                dropping, depth = name, 1
        elif name is not None and "<" not in name:
            odd = "".join(f' {k}="{v}"' for k, v in _ATTR.findall(attrs) if "<" not in k)
            out.append(f"<{slash}{name}{odd}>")
    if not dropping:
        out.append(html[pos:])
    return "".join(out)


def _loose_table_parts_out(html: str) -> str:
    """Remove the tags (not the content) of table parts outside any table."""
    tables = 0

    def tag(m: re.Match[str]) -> str:
        nonlocal tables
        slash, name = m.group(1, 2)
        if name == "table":
            tables += -1 if slash else 1
        elif not tables:
            return ""
        return m.group(0)

    return _TABLE_TAG.sub(tag, html)


def _link_filter(base: str | None) -> Callable[[re.Match[str]], str]:
    """The replacement for a ``_LINKED`` tag: its _ATTRS kept, href and src resolved."""

    def tag(m: re.Match[str]) -> str:
        name, attrs = m.group(1, 2)
        pairs = _ATTR.findall(attrs)
        if name == "img":
            pairs = _lazy_src(pairs)
        keep = _ATTRS[name]
        out = "<" + name
        for key, value in pairs:
            if key in keep:
                if key == "href" or key == "src":
                    value = _url(base, value)
                    if value is None:
                        continue
                out += f' {key}="{value}"'
        return out + ">"

    return tag


@functools.lru_cache(maxsize=4096)
def _url(base: str | None, value: str) -> str | None:
    """An href or src as Lexbor writes it, resolved against ``base`` and written the
    same way; None to drop it (unsafe or empty). Remembered: the posts of a page
    repeat links (categories, authors, icons), and resolving is the dearest step."""
    plain = _unescape(value).strip()
    if not plain or not _SAFE_URL.match(plain):
        return None
    absolute = resolve(base, plain)
    if not absolute:
        return value
    # without "&", the value holds nothing that is escaped: written back the same
    return value if absolute == value and "&" not in value else _escape(absolute)


def _lazy_src(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An image's attributes with its lazy-loading data-src as src, when src is
    missing (added last) or empty (filled in)."""
    found = dict(pairs)
    if found.get("src"):
        return pairs
    lazy = found.get("data-src") or found.get("data-lazy-src")
    if not lazy:
        return pairs
    if "src" in found:
        return [(k, lazy if k == "src" else v) for k, v in pairs]
    return [*pairs, ("src", lazy)]


def _unescape(value: str) -> str:
    """An attribute value as Lexbor writes it, back to the value ("&amp;" last)."""
    if "&" not in value:
        return value
    return (value.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
            .replace("&nbsp;", "\u00a0").replace("&amp;", "&"))


def _escape(value: str) -> str:
    """An attribute value written the way Lexbor writes one."""
    return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\u00a0", "&nbsp;"))


def _sanitize_tree(html: str, base: str | None) -> str:
    """The same on a parsed copy of the region, for foreign content and <plaintext>.
    Parsing it in a <div> drops table parts outside a table, as the string passes do;
    unlike them it also rebuilds what the page's parser had left misnested (an <li>
    in a <p>, an <a> in an <a>) and drops a line break opening a <pre>."""
    body = LexborHTMLParser(f"<div id=__root>{html}</div>").body
    root = body.first_child if body is not None else None  # the wrapper opens the document
    if root is None:
        return ""
    decompose_outermost(root.css(_DROP_SELECTOR))  # one inside a removed node goes with it
    unwrap = []
    for n in elements_of(root):
        tag = n.tag
        if tag not in ALLOWED_TAGS:
            unwrap.append(n)
            continue
        present = n.attributes  # a snapshot; changes go through attrs
        if not present:
            continue
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
        n.unwrap(delete_empty=True)  # unwrap() leaves an empty element as it is
    return _COMMENTS.sub("", root.inner_html or "")

