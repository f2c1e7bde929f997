from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from cairngraph.store import _plan
from cairngraph.store.base import BaseStore
from tests.store.stores import STORES

MakeStore = Callable[..., BaseStore]


@pytest.fixture(params=sorted(STORES))
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    """Each store of ``stores.py`` in turn: ``make_store(index=..., ttl=..., serde=...)``."""
    with ExitStack() as stack:
        made = [0]

        def make(**options: Any) -> BaseStore:
            made[0] += 1
            folder = tmp_path / f"store{made[0]}"
            folder.mkdir()
            return stack.enter_context(STORES[request.param](folder, dict(options)))

        yield make


@pytest.fixture
def store(make_store: MakeStore) -> BaseStore:
    return make_store()


class Clock:
    """The stores' clock, moved by hand: TTL tests need no sleeping."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = _plan.now_us()
        monkeypatch.setattr(_plan, "now_us", lambda: self.now)

    def advance(self, minutes: float) -> None:
        self.now += int(minutes * 60_000_000)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)
