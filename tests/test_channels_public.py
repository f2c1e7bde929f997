"""``cairngraph.channels``: LangGraph's channel classes, names and module paths, used directly.

The expectations were read off LangGraph 1.2 calling the same methods.
"""

from __future__ import annotations

import importlib
import operator
from typing import Any

import pytest

import cairngraph.engine.channels as engine
from cairngraph.channels import (
    AnyValue,
    BaseChannel,
    BinaryOperatorAggregate,
    DeltaChannel,
    EphemeralValue,
    LastValue,
    LastValueAfterFinish,
    NamedBarrierValue,
    NamedBarrierValueAfterFinish,
    Topic,
    UntrackedValue,
)
from cairngraph.errors import EmptyChannelError, InvalidUpdateError

MODULES = {
    "cairngraph.channels.base": ["BaseChannel"],
    "cairngraph.channels.last_value": ["LastValue", "LastValueAfterFinish"],
    "cairngraph.channels.topic": ["Topic"],
    "cairngraph.channels.binop": ["BinaryOperatorAggregate"],
    "cairngraph.channels.ephemeral_value": ["EphemeralValue"],
    "cairngraph.channels.untracked_value": ["UntrackedValue"],
    "cairngraph.channels.any_value": ["AnyValue"],
    "cairngraph.channels.named_barrier_value": [
        "NamedBarrierValue",
        "NamedBarrierValueAfterFinish",
    ],
    "cairngraph.channels.delta": ["DeltaChannel"],
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_paths_mirror_langgraph(module: str) -> None:
    loaded = importlib.import_module(module)
    package = importlib.import_module("cairngraph.channels")
    for name in MODULES[module]:
        assert getattr(loaded, name) is getattr(package, name)


def test_public_classes_are_the_engines_channels() -> None:
    assert BaseChannel is engine.BaseChannel
    assert LastValue is engine.LastValue
    assert BinaryOperatorAggregate is engine.BinaryOperatorAggregate
    for cls in (AnyValue, EphemeralValue, UntrackedValue, Topic, NamedBarrierValue, DeltaChannel):
        assert issubclass(cls, engine.BaseChannel)


def test_last_value() -> None:
    channel = LastValue(int)
    assert not channel.is_available()
    with pytest.raises(EmptyChannelError):
        channel.get()
    assert channel.update([]) is False
    assert channel.update([1]) is True
    assert channel.get() == 1
    assert channel.checkpoint() == 1
    assert channel.from_checkpoint(5).get() == 5
    assert channel.copy().get() == 1
    assert channel.ValueType is int
    assert channel.UpdateType is int


def test_last_value_names_the_key_and_the_remedy() -> None:
    channel = LastValue(int, "count")
    with pytest.raises(InvalidUpdateError, match=r"state key 'count'.*Annotated\[list"):
        channel.update([1, 2])


def test_topic() -> None:
    channel = Topic(str)
    assert not channel.is_available()
    with pytest.raises(EmptyChannelError):
        channel.get()
    assert channel.checkpoint() == []
    assert channel.update(["a", ["b", "c"]]) is True
    assert channel.get() == ["a", "b", "c"]
    assert channel.checkpoint() == ["a", "b", "c"]
    assert channel.update([]) is True
    assert not channel.is_available()
    assert channel.from_checkpoint(["x"]).get() == ["x"]
    assert str(channel.ValueType) == "collections.abc.Sequence[str]"


def test_accumulating_topic() -> None:
    channel = Topic(str, accumulate=True)
    assert channel.update(["a"]) is True
    assert channel.update([]) is False
    assert channel.update(["b"]) is True
    assert channel.get() == ["a", "b"]


def test_ephemeral_value() -> None:
    channel = EphemeralValue(int)
    assert channel.update([1]) is True
    assert channel.get() == 1
    assert channel.update([]) is True
    assert not channel.is_available()
    with pytest.raises(InvalidUpdateError, match="guard=False"):
        channel.update([1, 2])
    loose = EphemeralValue(int, guard=False)
    assert loose.update([1, 2]) is True
    assert loose.get() == 2


def test_untracked_value_is_never_checkpointed() -> None:
    channel = UntrackedValue(int)
    assert channel.update([1]) is True
    assert channel.get() == 1
    assert channel.checkpoint() is engine.MISSING
    assert not channel.from_checkpoint(3).is_available()
    assert channel.copy().get() == 1


def test_any_value() -> None:
    channel = AnyValue(int)
    assert channel.update([1, 2]) is True
    assert channel.get() == 2
    assert channel.update([]) is True
    assert not channel.is_available()
    assert channel.update([]) is False


def test_binary_operator_aggregate() -> None:
    total = BinaryOperatorAggregate(int, operator.add)
    assert total.get() == 0
    assert total.update([1, 2]) is True
    assert total.get() == 3
    assert total.checkpoint() == 3
    assert total.from_checkpoint(10).get() == 10
    with pytest.raises(EmptyChannelError):
        BinaryOperatorAggregate(list[int] | None, operator.add).get()


@pytest.mark.parametrize(
    ("typ", "start"),
    [(list[int], []), (dict[str, int], {}), (set[int], set()), (str, ""), (tuple[int, ...], ())],
)
def test_binary_operator_aggregate_starts_from_the_empty_value(typ: Any, start: Any) -> None:
    assert BinaryOperatorAggregate(typ, operator.add).get() == start


def test_named_barrier_value() -> None:
    barrier = NamedBarrierValue(str, {"a", "b"})
    assert barrier.update(["a"]) is True
    assert not barrier.is_available()
    with pytest.raises(EmptyChannelError):
        barrier.get()
    assert barrier.update(["a"]) is False
    assert barrier.update(["b"]) is True
    assert barrier.is_available()
    assert barrier.get() is None
    with pytest.raises(InvalidUpdateError):
        barrier.update(["c"])
    assert barrier.consume() is True
    assert not barrier.is_available()
    assert barrier.from_checkpoint(["a", "b"]).is_available()


def test_after_finish_channels_open_on_finish() -> None:
    late = LastValueAfterFinish(int)
    assert late.update([1]) is True
    assert not late.is_available()
    assert late.finish() is True
    assert late.get() == 1
    assert late.checkpoint() == (1, True)
    assert late.consume() is True
    assert not late.is_available()
    barrier = NamedBarrierValueAfterFinish(str, {"a"})
    barrier.update(["a"])
    assert not barrier.is_available()
    assert barrier.finish() is True
    assert barrier.is_available()


def test_delta_channel_reduces_each_steps_writes_at_once() -> None:
    batches: list[list[Any]] = []

    def extend(items: list[Any], batch: list[Any]) -> list[Any]:
        batches.append(batch)
        return [*items, *batch]

    channel = DeltaChannel(extend, list)
    assert not channel.is_available()
    assert channel.update([1, 2]) is True
    assert channel.get() == [1, 2]
    assert batches == [[1, 2]]
    with pytest.raises(ValueError, match="snapshot_frequency"):
        DeltaChannel(extend, snapshot_frequency=0)
