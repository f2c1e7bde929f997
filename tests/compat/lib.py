"""One namespace per engine, so each compatibility program is written once.

``load("langgraph")`` and ``load("cairngraph")`` expose the same names from
the same relative module paths; :func:`normalize` turns what a program
observed into plain data with ids and timestamps replaced by positions.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any


def load(prefix: str) -> SimpleNamespace:
    graph = importlib.import_module(f"{prefix}.graph")
    types = importlib.import_module(f"{prefix}.types")
    memory = importlib.import_module(f"{prefix}.checkpoint.memory")
    errors = importlib.import_module(f"{prefix}.errors")
    return SimpleNamespace(
        name=prefix,
        StateGraph=graph.StateGraph,
        START=graph.START,
        END=graph.END,
        MessagesState=graph.MessagesState,
        add_messages=graph.add_messages,
        InMemorySaver=memory.InMemorySaver,
        Command=types.Command,
        Send=types.Send,
        interrupt=types.interrupt,
        RetryPolicy=types.RetryPolicy,
        GraphRecursionError=errors.GraphRecursionError,
    )


def plain(value: Any) -> Any:
    """Values as comparable data: messages by type/content, interrupts by value."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    kind = type(value).__name__
    if kind == "Interrupt":
        return {"interrupt": plain(value.value)}
    if hasattr(value, "content") and hasattr(value, "type"):
        return {"message": value.type, "content": value.content}
    return value


def meta(metadata: Any) -> dict[str, Any]:
    """Metadata with checkpoint ids in ``parents`` replaced (ids differ between engines)."""
    found = plain(dict(metadata or {}))
    if "parents" in found:
        found["parents"] = {ns: "<checkpoint id>" for ns in found["parents"]}
    return found


def history(app: Any, config: dict[str, Any]) -> list[dict[str, Any]]:
    snapshots = list(app.get_state_history(config))
    position = {s.config["configurable"]["checkpoint_id"]: i for i, s in enumerate(snapshots)}
    out = []
    for snapshot in snapshots:
        parent = snapshot.parent_config
        out.append(
            {
                "metadata": meta(snapshot.metadata),
                "next": list(snapshot.next),
                "values": plain(snapshot.values),
                "parent": None
                if parent is None
                else position.get(parent["configurable"]["checkpoint_id"], "elsewhere"),
                "tasks": [
                    {
                        "name": t.name,
                        "error": t.error is not None,
                        "interrupts": plain(list(t.interrupts)),
                        "result": plain(t.result),
                    }
                    for t in snapshot.tasks
                ],
                "interrupts": plain(list(snapshot.interrupts)),
            }
        )
    return out


def state(app: Any, config: dict[str, Any]) -> dict[str, Any]:
    snapshot = app.get_state(config)
    return {
        "values": plain(snapshot.values),
        "next": list(snapshot.next),
        "metadata": meta(snapshot.metadata),
        "tasks": [
            {
                "name": t.name,
                "error": t.error is not None,
                "interrupts": plain(list(t.interrupts)),
                "result": plain(t.result),
            }
            for t in snapshot.tasks
        ],
        "interrupts": plain(list(snapshot.interrupts)),
    }
