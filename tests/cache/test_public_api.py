"""The public names of cairngraph.cache, pinned, and the LangGraph module paths they mirror."""

from __future__ import annotations

import importlib
import inspect

import pytest

PUBLIC = {
    "cairngraph.cache": {"BaseCache", "FullKey", "InMemoryCache", "Namespace", "SqliteCache"},
    "cairngraph.cache.base": {"BaseCache", "FullKey", "Namespace", "Stored", "ValueT"},
    "cairngraph.cache.memory": {"InMemoryCache"},
    "cairngraph.cache.sqlite": {"SqliteCache"},
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_names(module: str) -> None:
    loaded = importlib.import_module(module)
    assert set(loaded.__all__) == PUBLIC[module]


@pytest.mark.parametrize("name", ["get", "set", "clear", "aget", "aset", "aclear"])
def test_the_operations_take_langgraphs_arguments(name: str) -> None:
    base = pytest.importorskip("langgraph.cache.base")
    from cairngraph.cache import BaseCache

    ours = list(inspect.signature(getattr(BaseCache, name)).parameters)
    theirs = list(inspect.signature(getattr(base.BaseCache, name)).parameters)
    assert ours == theirs
    assert inspect.iscoroutinefunction(getattr(BaseCache, name)) == name.startswith("a")
