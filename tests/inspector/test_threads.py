"""``saver.threads()``: the thread list the inspector pages through, the same on every saver."""

from __future__ import annotations

from cairngraph.checkpoint.base import BaseCheckpointSaver
from tests.inspector.flows import fill

ORDER = ["review-paused", "review-forked", "review-done", "joke-3", "joke-2", "joke-1", "joke-0"]


def _ids(saver: BaseCheckpointSaver, **arguments: object) -> list[str]:
    return [info.thread_id for info in saver.threads(**arguments)]  # type: ignore[arg-type]


def test_threads_newest_first_with_search_filter_and_pages(saver: BaseCheckpointSaver) -> None:
    fill(saver, jokes=4)
    assert _ids(saver) == ORDER
    assert _ids(saver, search="review-") == ORDER[:3]
    assert _ids(saver, filter={"user": "bob"}) == ["joke-3", "joke-1"]
    assert _ids(saver, filter={"user": "bob"}, limit=1) == ["joke-3"]
    assert _ids(saver, limit=3) == ORDER[:3]
    assert _ids(saver, before="review-done", limit=2) == ["joke-3", "joke-2"]
    assert _ids(saver, before="joke-0") == []
    assert _ids(saver, search="nobody") == []
    latest = saver.get_tuple({"configurable": {"thread_id": "review-forked"}})
    info = next(saver.threads(search="review-forked"))
    assert latest is not None
    assert (info.checkpoint_id, info.ts) == (latest.checkpoint.id, latest.checkpoint.ts)
    assert info.metadata == latest.metadata


def test_the_base_default_agrees_with_the_saver(saver: BaseCheckpointSaver) -> None:
    fill(saver, jokes=4)
    for arguments in (
        {},
        {"search": "joke"},
        {"filter": {"n": 2}},
        {"before": "joke-3", "limit": 2},
    ):
        native = list(saver.threads(**arguments))  # type: ignore[arg-type]
        default = list(BaseCheckpointSaver.threads(saver, **arguments))  # type: ignore[arg-type]
        assert native == default


def test_after_an_unknown_thread_comes_nothing(saver: BaseCheckpointSaver) -> None:
    fill(saver, jokes=1)
    assert _ids(saver, before="nobody") == []
    assert list(BaseCheckpointSaver.threads(saver, before="nobody")) == []


async def _async_ids(saver: BaseCheckpointSaver) -> list[str]:
    return [info.thread_id async for info in saver.athreads(search="joke")]


def test_athreads_is_the_async_twin(saver: BaseCheckpointSaver) -> None:
    import asyncio

    fill(saver, jokes=2)
    assert asyncio.run(_async_ids(saver)) == ["joke-1", "joke-0"]


def test_limit_is_checked_alike(saver: BaseCheckpointSaver) -> None:
    import pytest

    from cairngraph.errors import InvalidConfigError

    fill(saver, jokes=1)
    for threads in (saver.threads, lambda **a: BaseCheckpointSaver.threads(saver, **a)):
        assert list(threads(limit=0)) == [] and list(threads(limit=-3)) == []
        with pytest.raises(InvalidConfigError, match="takes an int or None"):
            list(threads(limit="5"))
