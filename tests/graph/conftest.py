from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest


class Driver:
    """Runs a compiled graph through its sync or its async API, with one calling style."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def invoke(self, app: Any, input: Any, config: Any = None, **kwargs: Any) -> Any:
        if self.kind == "sync":
            return app.invoke(input, config, **kwargs)
        return asyncio.run(app.ainvoke(input, config, **kwargs))

    def stream(self, app: Any, input: Any, config: Any = None, **kwargs: Any) -> list[Any]:
        if self.kind == "sync":
            return list(app.stream(input, config, **kwargs))

        async def collect() -> list[Any]:
            return [chunk async for chunk in app.astream(input, config, **kwargs)]

        return asyncio.run(collect())

    def get_state(self, app: Any, config: Any, **kwargs: Any) -> Any:
        if self.kind == "sync":
            return app.get_state(config, **kwargs)
        return asyncio.run(app.aget_state(config, **kwargs))

    def history(self, app: Any, config: Any, **kwargs: Any) -> list[Any]:
        if self.kind == "sync":
            return list(app.get_state_history(config, **kwargs))

        async def collect() -> list[Any]:
            return [item async for item in app.aget_state_history(config, **kwargs)]

        return asyncio.run(collect())

    def update_state(self, app: Any, config: Any, values: Any, as_node: str | None = None) -> Any:
        if self.kind == "sync":
            return app.update_state(config, values, as_node=as_node)
        return asyncio.run(app.aupdate_state(config, values, as_node=as_node))


@pytest.fixture(params=["sync", "async"])
def driver(request: pytest.FixtureRequest) -> Iterator[Driver]:
    """Each graph behaviour test runs through both drivers."""
    yield Driver(request.param)
