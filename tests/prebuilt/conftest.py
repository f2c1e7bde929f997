"""Each graph test runs through the sync and the async driver."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """``run(runnable, input, config=None)``: ``invoke`` or ``ainvoke``, per the parameter."""

    def call(runnable: Any, value: Any, config: Any = None) -> Any:
        if request.param == "sync":
            return runnable.invoke(value, config)
        return asyncio.run(runnable.ainvoke(value, config))

    return call
