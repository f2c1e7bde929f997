"""Serializer speed: ``python -m benchmarks.bench_serde [--quick]``.

Median µs per ``dumps_typed`` / ``loads_typed`` for a few state shapes, for
cairngraph's serializers and, in the same run, LangGraph's default
serializer when LangGraph is installed (the ratio column is theirs / ours).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import statistics
import timeit
import uuid
from collections.abc import Callable
from typing import Any

from cairngraph.checkpoint.serde import EncryptedSerializer, MsgpackSerializer, TypeRegistry


@dataclasses.dataclass
class Event:
    id: uuid.UUID
    at: dt.datetime
    name: str
    tags: tuple[str, ...]


def typical_state() -> dict[str, Any]:
    """A few string keys and a list of 50 message dicts: the common checkpoint channel set."""
    return {
        "topic": "chickens",
        "joke": "Why did the chicken join a band? Because it had the drumsticks.",
        "count": 7,
        "messages": [
            {
                "type": "human" if i % 2 else "ai",
                "content": f"message {i}: " + "some words of a conversation " * 3,
                "id": str(uuid.UUID(int=i)),
                "additional_kwargs": {},
            }
            for i in range(50)
        ],
    }


def langchain_state() -> dict[str, Any] | None:
    try:
        from langchain_core.messages import AIMessage, HumanMessage
    except ImportError:
        return None
    kinds = (HumanMessage, AIMessage)
    text = "some words of a conversation " * 3
    return {"messages": [kinds[i % 2](content=text, id=str(i)) for i in range(50)]}


def events() -> list[Event]:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return [
        Event(uuid.UUID(int=i), start + dt.timedelta(minutes=i), f"event {i}", ("a", "b"))
        for i in range(50)
    ]


def serializers() -> dict[str, Any]:
    plain = MsgpackSerializer(TypeRegistry())
    plain.register(Event)
    sealed = EncryptedSerializer(plain, keys={"bench": os.urandom(32)})
    found: dict[str, Any] = {"cairngraph msgpack": plain, "cairngraph msgpack+aesgcm": sealed}
    try:
        from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
    except ImportError:
        return found
    found["langgraph jsonplus"] = JsonPlusSerializer()
    return found


def median_us(call: Callable[[], object], quick: bool) -> float:
    number = 200 if quick else 2000
    runs = timeit.repeat(call, number=number, repeat=3 if quick else 7)
    return statistics.median(runs) / number * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_serde")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    values = {
        "typical state (50 message dicts)": typical_state(),
        "50 LangChain messages": langchain_state(),
        "50 dataclasses (UUID, datetime, tuple)": events(),
    }
    print(f"{'value':<40} {'serializer':<28} {'dumps µs':>9} {'loads µs':>9} {'bytes':>7}")
    for label, value in values.items():
        if value is None:
            continue
        for name, serde in serializers().items():
            payload = serde.dumps_typed(value)
            if serde.loads_typed(payload) != value:
                if name.startswith("cairngraph"):
                    raise SystemExit(f"{name} did not round-trip {label}")
                print(f"{label:<40} {name:<28} {'(does not round-trip)':>27}")
                continue
            dumps = median_us(lambda s=serde, v=value: s.dumps_typed(v), args.quick)
            loads = median_us(lambda s=serde, p=payload: s.loads_typed(p), args.quick)
            size = len(payload[1])
            print(f"{label:<40} {name:<28} {dumps:>9.1f} {loads:>9.1f} {size:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
