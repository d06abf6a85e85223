"""Heuristics as data: tokens, patterns and thresholds the generic splitter uses.

Nothing here names a site. Traversal code imports these tables; tune them here, and
measure every change against the corpus (``bench/corpus_scores.py``,
``tests/test_corpus.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Elements removed before anything else: never content, never structure.
DROP_TAGS = (
    "script", "style", "link", "meta", "svg", "iframe", "object", "embed", "canvas",
    "select", "textarea", "input", "button", "map", "audio", "video", "source", "noembed",
    "dialog",
)

# Elements whose end starts a new line of text.
BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "tr", "section", "article", "header", "footer", "aside",
    "figure", "figcaption", "address", "main", "nav", "hr", "form", "fieldset", "details",
    "summary",
)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

# Regions of a page that are chrome by their tag.
CHROME_TAGS = frozenset({"nav", "aside", "footer", "form", "dialog"})
SEMANTIC_CHROME = frozenset({"nav", "aside", "footer", "dialog"})

# class/id tokens (split on non-letters) that mark chrome regions around the posts.
# A Chinese, Japanese or Korean character: a word's worth of text on its own.
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Words that say which posts a list shows, not where it sits: a sidebar widget's
# "recent posts", a theme's name for the home page's own list, a post's own box.
LIST_WORDS = frozenset({"recent", "popular", "trending"})
CHROME_TOKENS = frozenset({
    "sidebar", "sidebars", "widget", "widgets", "widgetarea", "menu", "menus", "nav", "navbar",
    "navigation", "breadcrumb", "breadcrumbs", "footer", "masthead", "topbar", "toolbar",
    "related", "popular", "trending", "recent", "ticker", "carousel", "slider", "slideshow",
    "cookie", "cookies", "consent", "gdpr", "newsletter", "subscribe", "subscription", "signup",
    "advert", "advertisement", "ads", "adsense", "sponsor", "sponsored", "promo", "promotion",
    "banner", "share", "sharing", "sharedaddy", "addthis", "social", "follow", "jobs", "job",
    "careers", "modal", "popup", "overlay", "offcanvas", "drawer", "megamenu", "dropdown",
    "pagination", "pager", "pagenav", "comments", "respond", "disqus", "outdated", "browserupgrade",
    "skip", "login", "search", "tagcloud", "archives", "calendar", "blogroll", "author-bio",
    "authorbox", "bio", "about", "disclaimer", "copyright", "colophon", "secondary",
})

# Tokens that mark the main content column: a gentle bonus.
MAIN_TOKENS = frozenset({
    "main", "content", "posts", "post-list", "postlist", "entries", "blog", "articles",
    "archive", "primary", "loop", "feed", "stream", "results", "hfeed", "list", "index",
})

# Whole class or id names that are chrome whatever share of the page they hold
# ("right-sidebar" or "content-sidebar-wrap" are not: themes use them for the main column).
CHROME_NAMES = frozenset({"sidebar", "sidebar-primary", "sidebar-secondary", "sidebar-left", "sidebar-right",
                          "widget-area", "site-footer", "footer", "colophon", "secondary", "sidebar-wrapper"})

# Whole class names that mark the main column even beside a chrome token.
MAIN_NAMES = frozenset({"main", "blog", "content", "posts", "post-list", "hfeed", "primary", "main-content",
                        "site-main", "content-area", "blog-posts"})

# Class tokens that vary from post to post and must not split one listing in two.
VOLATILE_CLASS_PREFIXES = (
    "post-", "category-", "tag-", "format-", "type-", "status-", "author-", "entry-",
    "has-", "is-", "js-", "css-", "ember", "ng-", "v-", "sc-", "jsx-", "lazy", "aos",
)
VOLATILE_CLASSES = frozenset({
    "first", "last", "odd", "even", "alt", "active", "current", "sticky", "featured", "hentry",
    "clearfix", "group", "visible", "hidden", "loaded", "new", "hot", "top", "left", "right",
    "wow", "animated", "fadein", "fadeinup", "in-view", "in", "show",
})

# Anchor text that is navigation, not a title (lower-cased, whole text).
NON_TITLE_TEXT = re.compile(
    r"^(?:read\s+more|continue\s+reading|more|view\s+more|see\s+more|learn\s+more|details|"
    r"comments?|leave\s+a\s+comment|reply|share|tweet|permalink|home|next|previous|prev|"
    r"older|newer|older\s+posts|newer\s+posts|back|top|\d+|«|»|›|‹|→|←)\W*$",
    re.IGNORECASE,
)

# Links that lead to more of the listing, not to a post. Only ever tested for a
# match anywhere (search/fullmatch as yes or no). Alternatives are grouped by first
# letter and the lookahead lists those letters: the engine skips most positions
# with one test instead of trying every alternative there (4x faster on titles).
READ_MORE_RE = re.compile(
    r"(?=[rckfvm(\[wlszčчпд続阅继더d])"
    r"(?:(?:read\s*more|read\s*the\s*rest|read\s*full)"
    r"|(?:continue\s*reading|continua(?:re)?\s*a\s*leggere|czytaj\s*dalej|citește\s*mai\s*mult)"
    r"|keep\s*reading|full\s*(?:story|article|post)|view\s*(?:post|article)"
    r"|(?:more\s*»|mehr\s*lesen)|\(more\.*\)|\[more\]|weiterlesen"
    r"|(?:lire\s*la\s*suite|leer\s*m[aá]s|leggi\s*(?:tutto|di\s*più)|ler\s*mais|lees\s*meer|läs\s*mer|les\s*mer"
    r"|læs\s*mere|lue\s*lisää)"
    r"|seguir\s*leyendo|sigue\s*leyendo|continuar\s*leyendo|ver\s*m[aá]s|voir\s*(?:la\s*)?suite"
    r"|zobrazit\s*článek|(?:čtěte\s*dále|číst\s*dál)|dowiedz\s*się\s*więcej"
    r"|читать\s*(?:далее|полностью)|подробнее|далее|続きを(?:読む|表示)|(?:阅读全文|阅读更多)|继续阅读|더\s*보기"
    r"|devamını\s*oku)",
    re.IGNORECASE,
)
# Trailing teaser markers removed from the end of an excerpt's text.
TEASER_TAIL_RE = re.compile(r"\s*(?:\[(?:…|\.\.\.|&hellip;)\]|\(more\.*\)|\[more\]|(?<![\w)\]])(?:\(\s*\)|\[\s*\]))\s*$",
                            re.IGNORECASE)  # (an empty "()" after a sentence once held a link; "f()" is code)
# A view counter ("Hits: 65", "1,234 views"): chrome like a share count.
VIEWS_LINE_RE = re.compile(r"^\W*(?:(?:hits|views|reads|aufrufe|visite|visualizzazioni|lecturas|visitas|просмотров|"
                           r"просмотры)\s*:?\s*[\d.,\s]+|[\d.,\s]+\s*(?:views|reads|hits|visite|visitas|просмотров))\W*$",
                           re.IGNORECASE)
# A reading-time line ("4 min read", "• 22 minutes to read", "Lesezeit: 3 Min.").
READING_TIME_RE = re.compile(
    r"^\W*(?:\d+\s*(?:min(?:ute)?s?|minuten|minutos|minut[oi]|second[oi]|secs?|seconds?)\.?\s*(?:read|reading|to\s+read|"
    r"de\s+lectura|di\s+lettura|per\s+leggerlo|de\s+leitura|lesezeit|leestijd)?|(?:reading\s+time|lesezeit|lesedauer|tiempo\s+de\s+lectura)\s*:?\s*\d+\s*\w*\.?|"
    r"\d+\s*分钟?(?:阅读)?|阅读(?:时间|时长)?\s*[:：]?\s*\d+\s*分钟?|\d+\s*분)\W*$",
    re.IGNORECASE,
)

# Comment counters: a number with a comment word around it.
COMMENT_WORDS = (
    r"comments?|responses?|replies|reply|respuestas?|comentarios?|commentaires?|commenti|"
    r"kommentare?|kommentar(?:er)?|reacties?|komentář(?:e|ů)?|komentarz(?:e|y)?|коммент\w*|"
    r"коментар\w*|コメント|评论|評論|留言|댓글|yorum\w*|hozzászólás\w*|kommentti\w*"
)
COMMENT_COUNT_RE = re.compile(
    rf"(?:(\d[\d,.\s]*)\s*(?:{COMMENT_WORDS})|(?:{COMMENT_WORDS})\s*[:(\[]?\s*(\d[\d,.]*)\s*[)\]]?)",
    re.IGNORECASE,
)
NO_COMMENTS_RE = re.compile(
    r"^\s*(?:no\s+comments?(?:\s+yet)?|sin\s+comentarios|aucun\s+commentaire|keine\s+kommentare|"
    r"nessun\s+commento|нет\s+комментариев|geen\s+reacties|brak\s+komentarzy)[\s.!»›→]*$",
    re.IGNORECASE,
)
COMMENT_HREF_RE = re.compile(r"#(?:comment\w*|respond|disqus_thread|reply|comentarios?|commentaires)\b|/comments?/?$",
                             re.IGNORECASE)

# Bylines: "Posted by: X", "By X", "Por X", "Von X", "Par X", "Автор: X".
BYLINE_RE = re.compile(
    r"(?:posted\s+by|written\s+by|published\s+by|submitted\s+by|author|by|por|von|par|di|door|av|af|autor(?:a)?|auteur|"
    r"автор|作者|著者|投稿者)\s*[:：]?\s+(.+)",
    re.IGNORECASE,
)
AUTHOR_SPLIT_RE = re.compile(r"\s*(?:\||•|·|—|–| - | / |\bon\b|\bin\b|\bat\b|,\s*(?=\d)|\d{1,2}[./ ])", re.IGNORECASE)
# A link to an author's page ("/author/jane-roe/"): its text is the author's name.
AUTHOR_HREF_RE = re.compile(r"/(?:authors?|autor(?:es)?|auteurs?)/[^/?#]+/?(?:index\.html?)?$", re.IGNORECASE)

# Words that make an anchor or block "next page" (lower-cased, compared to whole text).
NEXT_WORDS = re.compile(
    r"^(?:next|next\s+page|next\s+posts?|older|older\s+(?:posts?|entries|articles|stories)|"
    r"earlier\s+(?:posts?|entries)|past|more\s+(?:posts|articles|stories)|load\s+more|"
    r"weiter|nächste(?:\s+seite)?|ältere\s+(?:beiträge|einträge|artikel)|suivant(?:e)?|page\s+suivante|"
    r"articles\s+plus\s+anciens|siguiente|entradas\s+anteriores|successiv[oa]|articoli\s+(?:meno\s+recenti|precedenti)|"
    r"próxim[oa]|seguinte|volgende|oudere\s+berichten|następna|starsze\s+wpisy|další|starší\s+(?:příspěvky|články)|"
    r"следующая|следующие|далее|вперед|вперёд|старые\s+записи|более\s+старые\s+записи|"
    r"次へ|次のページ|下一页|下一頁|下页|다음|nästa|äldre\s+inlägg|neste|eldre\s+innlegg|næste|seuraava|sonraki|"
    r"»|›|>|>>|→|older\s*»|next\s*»|next\s*›|next\s*→|→\s*older|«\s*older(?:\s+(?:posts?|entries|articles))?|"
    r"←\s*(?:older|past)(?:\s+(?:posts?|entries))?|(?:older|past)\s*(?:posts?|entries)?\s*→)$",
    re.IGNORECASE,
)
PREV_WORDS = re.compile(
    r"(?:prev|previous|newer|future|zurück|vorherige|neuere|précédent|anterior(?:es)?|precedent[ei]|"
    r"vorige|nieuwere|poprzednia|předchozí|предыдущая|назад|新しい|上一页|上一頁|이전|föregående|forrige|edellinen|önceki)",
    re.IGNORECASE,
)
# A link to a calendar or a per-month archive: never pagination.
CALENDAR_HREF_RE = re.compile(
    r"(?:[?&](?:m|month|date|day|year|monthnum|calendar)=\d|/\d{4}/\d{1,2}/?(?:$|\?)|/\d{4}-\d{2}/?$|calendar|ical|\.ics$)",
    re.IGNORECASE,
)
# Path and query shapes of paginated listings.
PAGE_PARAM_RE = re.compile(r"(?:[?&](?:page|paged|p|pg|pageno|pagenum|start|offset|skip|from|pn|seite|pagina)=(\d+))",
                           re.IGNORECASE)
PAGE_PATH_RE = re.compile(r"(?:/(?:page|p|seite|pagina|strona|stranica)/(\d+)/?$|/page(\d+)/?$|index-?(\d+)\.html?$|[-_]?(\d+)\.html?$)",
                          re.IGNORECASE)

# An address that only a listing has: a numbered page of one (page_number() also
# reads "story-1234.html", which is as often a permalink, so this is stricter).
LISTING_PAGE_RE = re.compile(r"(?:/(?:page|seite|pagina|strona|stranica)/\d+/?$|/page\d+/?$|/index-?\d+\.html?$|"
                             r"[?&](?:page|paged|pg|pageno|pagenum)=\d+)", re.IGNORECASE)

# URLs that are not posts: taxonomy, author, feed and utility pages.
NON_POST_HREF_RE = re.compile(
    r"(?:/(?:tag|tags|category|categories|author|authors|label|topics?|search|feed|rss|atom|wp-login|login|"
    r"signup|register|cart|account|share|sharer|intent|mailto)(?:/|$|\?|\.)|[?&](?:s|replytocom|share)=|"
    r"/page/\d+/?$|#comments?$|#respond$|\.(?:jpe?g|png|gif|webp|pdf|zip|mp3|mp4|xml)$)",
    re.IGNORECASE,
)
# ?cat=, ?tag= and ?author= make a taxonomy page, unless an item's id goes with them
# ("article.php?cat=7&newsid=901" is a story filed in a category)
TAXONOMY_QUERY_RE = re.compile(r"[?&](?:cat|tag|author)=", re.IGNORECASE)
ITEM_QUERY_RE = re.compile(r"[?&](?:p|id|nid|aid|newid|newsid|news_id|articleid|article_id|postid|post_id|storyid|"
                           r"story_id|article|post|story)=\d", re.IGNORECASE)


def non_post_url(url: str) -> bool:
    """A link to a taxonomy, author, search, feed, account or media URL: not a post."""
    if NON_POST_HREF_RE.search(url):
        return True
    return bool(TAXONOMY_QUERY_RE.search(url)) and not ITEM_QUERY_RE.search(url)

# Chrome by what it says: consent, browser warnings, sign-ups, job ads, follow widgets.
CHROME_TEXT_RE = re.compile(
    r"(?:\bcookies?\b.{0,80}\b(?:policy|consent|accept|agree|enable|use|disabled)|by\s+continuing\s+to\s+use|"
    r"your\s+browser\s+(?:is|seems|does)|browser\s+(?:is\s+)?no\s+longer\s+supported|upgrade\s+(?:to\s+)?a\s+newer\s+(?:version|browser)|"
    r"sign\s+up\s+(?:for|to)\s+(?:our|the|news)|newsletters?\b|subscribe\s+(?:to|now)|don[’']t\s+miss\s+(?:any|out)|"
    r"follow\s+us\b|join\s+the\s+discussion|like\s*&\s*share|\bsalary\b|per\s+annum|£\d[\d,]*\s*(?:-|–|to)|"
    r"linkedin\s+group|click\s+here\s+for\s+more\s+information|all\s+rights\s+reserved|©)",
    re.IGNORECASE,
)
# Lines inside a post that are chrome by what they say (whole short lines only).
CHROME_LINE_RE = re.compile(
    r"^(?:share(?:\s+this)?(?:\s+(?:post|article|story))?|share\s+on\s+\w+|tweet|pin\s+it|email|print|"
    r"like\s+this:?|related(?:\s+(?:posts|articles))?:?|tags?:|filed\s+under:?|posted\s+in:?|"
    r"por\s+favor\s+like\s*&\s*share:?|please\s+follow\s*&\s*like\s+us\s*:?\)?|follow\s+us(?:\s+on\s+\w+)?|"
    r"advertisement|continue\s+reading\s+the\s+main\s+story|read\s+in\s+english|sponsored)\W*$",
    re.IGNORECASE,
)

# Dates: class tokens and itemprops that mark date and author elements.
DATE_TOKENS = frozenset({"date", "time", "published", "posted", "postdate", "entry-date", "meta", "byline",
                         "timestamp", "dateline", "post-date", "pubdate", "datetime", "updated", "info"})
AUTHOR_TOKENS = frozenset({"author", "byline", "vcard", "fn", "writer", "creator", "by"})
# A link to a tag, category or label page: a tag when it stands on a line of such links.
TAG_HREF_RE = re.compile(r"(?:/(?:tags?|categor(?:y|ies)|labels?)/(?:[^/?#]+/){0,3}[^/?#]+?(?:/|\.html?|/index\.html?)?$|"
                         r"/taxonomy/term/\d+(?:\.html?)?/?$|[?&](?:tag|category)=[^&#]+$)", re.IGNORECASE)
TAG_CONTAINER_TOKENS = frozenset({"tags", "tag-links", "post-tags", "entry-tags", "tagged", "keywords", "labels",
                                  "post-labels", "tag-list", "taglist"})


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Numbers the splitter compares against; one frozen object, passed in."""

    min_posts: int = 2               # fewer repeated items is not a listing
    min_title_chars: int = 2
    long_anchor_chars: int = 18      # a bare link this long may be a title
    long_anchor_words: int = 3
    flat_block_extra_chars: int = 12  # a "block" with no more text than its title is bare
    max_flat_siblings: int = 400     # siblings one flat post may take
    merge_score_ratio: float = 0.1  # a second group this good (disjoint, same URL shape) is kept too
    article_min_chars: int = 400     # trafilatura text this long makes a page an article
    single_post_min_chars: int = 200  # a one-post listing's post shows this much text ...
    single_post_min_chars_listed: int = 60  # ... or this much, where the page says it is a listing
    article_max_chars: int = 2_000_000  # larger pages are not handed to trafilatura (seconds per MB)
