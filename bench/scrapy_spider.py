"""The Scrapy baseline for crawl_throughput.py: a minimal hand-written spider for the
loopback site, with per-site CSS selectors (what a Scrapy user would write for a site
they know), run as

    scrapy runspider bench/scrapy_spider.py -a starts="URL1 URL2 ..." -O out.jsonl:jsonlines

Settings match ``scraper crawl --delay 0 --concurrency 4``: four requests in flight,
one per host, no delay, robots.txt obeyed, no throttling, no cache."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response


class BenchSpider(scrapy.Spider):
    name = "bench"
    custom_settings = {
        "CONCURRENT_REQUESTS": 4,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
    }

    def __init__(self, starts: str = "", **kw: Any) -> None:
        super().__init__(**kw)
        self.start_urls = starts.split()

    def parse(self, response: Response, **kw: Any) -> Iterator[Any]:
        for post in response.css("article.post"):
            link = post.css("h2 a")
            yield {
                "title": " ".join(link.css("::text").getall()).strip() or None,
                "url": response.urljoin(link.attrib["href"]) if "href" in link.attrib else None,
                "date": post.css("time::attr(datetime)").get(),
                "text": " ".join(t.strip() for t in post.css("p ::text").getall()).strip() or None,
                "source": response.url,
            }
        nxt = response.css("a[rel~=next]::attr(href)").get()
        if nxt:
            yield response.follow(nxt, callback=self.parse)
