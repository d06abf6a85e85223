"""Shared test fixtures: no hidden network, a loopback fault server, a fake clock."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faultserver import FaultServer

FIXTURES = Path(__file__).parent / "fixtures"
SITES = FIXTURES / "sites"

# --- hidden network fails loudly -----------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlocked(RuntimeError):
    """Not an OSError on purpose: retry logic must not swallow it as a network blip."""


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family != socket.AF_UNIX and not _is_local(address):
        raise NetworkBlocked(f"tests may not reach the network: connect({address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if self.family != socket.AF_UNIX and not _is_local(address):
        raise NetworkBlocked(f"tests may not reach the network: connect_ex({address!r})")
    return _real_connect_ex(self, address)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Block non-loopback connects for the whole run (SCRAPER_ALLOW_NETWORK=1 opts out)."""
    if os.environ.get("SCRAPER_ALLOW_NETWORK") == "1":
        return
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    # An HTTP(S)_PROXY in the environment would route loopback requests elsewhere.
    no_proxy = os.environ.get("NO_PROXY", "")
    os.environ["NO_PROXY"] = ",".join(filter(None, [no_proxy, "127.0.0.1", "localhost", "::1"]))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


# --- loopback fault server ------------------------------------------------------------


@pytest.fixture(scope="session")
def fault_server() -> Iterator[FaultServer]:
    """``tests/fixtures/sites/`` over loopback, plus the ``/_fault/`` endpoints.

    ``/robots.txt`` is ``sites/fetchtest/robots.txt`` (it disallows ``/fetchtest/private/``).
    Shared by the session: tests use their own fault tags, or the ``fault`` fixture."""
    with FaultServer(SITES, robots_txt=SITES / "fetchtest" / "robots.txt") as srv:
        yield srv


@pytest.fixture()
def fault(fault_server: FaultServer) -> FaultServer:
    """The session fault server with an empty access log and fresh per-path counters."""
    fault_server.reset()
    return fault_server


# --- fake time ------------------------------------------------------------------------


class FakeTime:
    """An injectable clock and sleep in virtual time: sleeping records the delay and
    moves the clock forward; concurrent sleepers wake in order of their wake-up times."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._wakeups: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        wake = self.now + max(0.0, seconds)
        self._wakeups.append(wake)
        try:
            await asyncio.sleep(0)  # let other ready tasks reach their own sleep first
            while wake > min(self._wakeups):
                await asyncio.sleep(0)
        finally:
            self._wakeups.remove(wake)
        self.now = max(self.now, wake)


@pytest.fixture()
def fake_time() -> FakeTime:
    return FakeTime()
