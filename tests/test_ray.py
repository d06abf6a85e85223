"""Scale-out on Ray: the same records as one process, every site once, and a worker
killed mid-task retried with no duplicate and no loss.

A local Ray cluster with 2 CPUs is started once for this module. Without Ray
installed (it is the optional extra ``scraper[ray]``) these tests skip, except the
one checking that ``--ray`` then says how to install it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.config import CrawlConfig, OutputConfig
from scraper.demo import LocalSite, StaticSite, serve_site
from scraper.runner import Job, run_jobs

DEMO = Path(__file__).parent / "fixtures" / "sites" / "demo"
SCRAPER = str(Path(sys.executable).parent / "scraper")


class LoggedSite(StaticSite):
    """The demo site, logging every path and answering listing pages slowly."""

    def do_GET(self) -> None:  # noqa: N802
        server = self.server
        with server.lock:  # type: ignore[attr-defined]
            server.log.append(self.path)  # type: ignore[attr-defined]
        if "/tag/" in self.path:
            time.sleep(server.slow)  # type: ignore[attr-defined]
        super().do_GET()


def _serve(slow: float = 0.0) -> tuple[LocalSite, str, object]:
    site = LocalSite(DEMO, LoggedSite).__enter__()
    site.server.log = []  # type: ignore[attr-defined]
    site.server.lock = threading.Lock()  # type: ignore[attr-defined]
    site.server.slow = slow  # type: ignore[attr-defined]
    return site, site.base, site.server


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[object]:
    ray = pytest.importorskip("ray", reason="Ray is the optional extra scraper[ray]; these tests need it")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def _jobs(bases: list[str], out: Path, fmt: str = "jsonl") -> list[Job]:
    return [Job(starts=(f"{b}/tag/civil-society/",), crawl=CrawlConfig(delay=0),
                output=OutputConfig(out=out, format=fmt), name=f"site{i}") for i, b in enumerate(bases)]


def _records(out: Path) -> list[dict]:
    recs = []
    for f in sorted(out.glob("*.jsonl")):
        recs += [json.loads(line) for line in f.read_text().splitlines()]
    for f in sorted(out.glob("*/*.json")):
        recs.append(json.loads(f.read_text()))
    return recs


def _comparable(recs: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k != "fetched_at"} for r in recs), key=lambda r: r["id"])


def test_ray_run_gives_the_records_of_one_process_and_crawls_each_site_once(ray_cluster, tmp_path: Path) -> None:
    from scraper.executors.ray import run_jobs_on_ray

    servers = [_serve(), _serve()]
    try:
        # two sites: 127.0.0.1 and localhost are different registrable domains, two shards
        bases = [servers[0][1], servers[1][1].replace("127.0.0.1", "localhost")]
        report = run_jobs_on_ray(_jobs(bases, tmp_path / "ray"), state_dir=tmp_path / "state")
        ray_logs = [Counter(s[2].log) for s in servers]
        for _, _, server in servers:
            server.log.clear()
        run_jobs(_jobs(bases, tmp_path / "local"), state_path=tmp_path / "local.sqlite")
    finally:
        for cm, _, _ in servers:
            cm.__exit__(None, None, None)
    assert report.total.new == 14 and report.total.failure_count == 0
    assert set(report.jobs) == {"site0", "site1"}
    for log in ray_logs:  # every listing page of every site fetched exactly once
        assert log["/tag/civil-society/"] == 1 and log["/tag/civil-society/page/2/"] == 1
    ray_recs, local_recs = _records(tmp_path / "ray"), _records(tmp_path / "local")
    assert len(ray_recs) == 14
    assert _comparable(ray_recs) == _comparable(local_recs)
    assert (tmp_path / "state").is_dir() and len(list((tmp_path / "state").glob("*.sqlite"))) == 2


def _shard_worker_pids() -> list[int]:
    """Ray names a worker process after the task it runs: ray::_crawl_shard."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"ray::_crawl_shard" in cmd:
                pids.append(int(entry.name))
    return pids


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_a_worker_killed_mid_task_is_retried_without_duplicate_or_loss(ray_cluster, tmp_path: Path, fmt: str) -> None:
    from scraper.executors.ray import run_jobs_on_ray

    cm, base, server = _serve(slow=0.6)
    result: dict[str, object] = {}
    try:
        t = threading.Thread(target=lambda: result.update(report=run_jobs_on_ray(
            _jobs([base], tmp_path / "out", fmt), state_dir=tmp_path / "state")))
        t.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("/tag/" in p for p in server.log):
            time.sleep(0.05)
        time.sleep(0.8)  # page 1 written, page 2 being fetched: kill now
        pids = _shard_worker_pids()
        assert pids, "no Ray worker running the shard was found"
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        t.join(timeout=120)
        assert not t.is_alive()
    finally:
        cm.__exit__(None, None, None)
    recs = _records(tmp_path / "out")
    ids = Counter(r["id"] for r in recs)
    assert len(ids) == 7, "a post was lost"
    assert max(ids.values()) == 1, "a post was written twice"
    assert Counter(server.log)["/tag/civil-society/"] >= 2, "the task was not run again after the kill"


def test_parse_warc_on_ray_matches_one_process(ray_cluster, tmp_path: Path) -> None:
    from scraper.executors.ray import rebuild_on_ray
    from scraper.rebuild import rebuild_posts

    with serve_site(DEMO) as base:
        subprocess.run([SCRAPER, "crawl", f"{base}/tag/civil-society/", "--out", str(tmp_path / "o"),
                        "--warc", str(tmp_path / "w"), "--delay", "0", "-q"], check=True, timeout=120)
    pattern = str(tmp_path / "w" / "*.warc.gz")
    one = list(rebuild_posts([pattern]))
    many = list(rebuild_on_ray([pattern]))
    assert len(one) == 7
    assert one == many


def test_ray_flag_without_ray_says_how_to_install(tmp_path: Path) -> None:
    fake = tmp_path / "noray" / "ray"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named ray')\n")
    jobs = tmp_path / "jobs.toml"
    jobs.write_text('out = "o"\n[[site]]\nurls = ["http://127.0.0.1:9/"]\n')
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "noray"))
    r = subprocess.run([SCRAPER, "run", str(jobs), "--ray"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2
    assert "pip install 'scraper[ray]'" in r.stderr
    r = subprocess.run([SCRAPER, "parse", "--warc", str(jobs), "--ray"], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 2 and "scraper[ray]" in r.stderr
