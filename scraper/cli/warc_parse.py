"""``scraper parse --warc``: records rebuilt offline from WARC archives."""

from __future__ import annotations

from .common import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, emit_jsonl, warn


def parse_warcs(sources: tuple[str, ...], ray_address: str | None) -> int:
    import glob

    missing = [s for s in sources if not glob.glob(s)]
    if missing:
        warn(f"no WARC file matches {missing[0]}")
        return EXIT_USAGE
    if ray_address is not None:
        from ..errors import ConfigError
        from ..executors.ray import rebuild_on_ray, require_ray

        try:
            require_ray()
        except ConfigError as exc:
            warn(str(exc))
            return EXIT_USAGE
        posts = rebuild_on_ray(list(sources), address=None if ray_address == "auto" else ray_address)
    else:
        from ..rebuild import rebuild_posts

        posts = rebuild_posts(sources)
    n = emit_jsonl(posts)
    if n == 0:
        warn("no listing pages with posts in these archives")
        return EXIT_PARTIAL
    return EXIT_OK
