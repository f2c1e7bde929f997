"""Printing a thread: its current state and its history as a table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairngraph.types import StateSnapshot


def _short(value: Any, width: int = 60) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def history_rows(history: Sequence[StateSnapshot]) -> list[tuple[str, str, str, str, str]]:
    """(step, source, node, next, changed keys), newest first.

    The node that made a checkpoint is what its parent checkpoint had next.
    """
    rows = []
    for index, snapshot in enumerate(history):
        parent = history[index + 1] if index + 1 < len(history) else None
        metadata = snapshot.metadata or {}
        node = ", ".join(parent.next) if parent and metadata.get("source") == "loop" else "-"
        before = parent.values if parent else {}
        changed = [key for key, value in snapshot.values.items() if before.get(key) != value]
        rows.append(
            (
                str(metadata.get("step", "?")),
                str(metadata.get("source", "?")),
                node,
                ", ".join(snapshot.next) or "-",
                ", ".join(changed) or "-",
            )
        )
    return rows


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def describe(state: StateSnapshot, history: Sequence[StateSnapshot]) -> str:
    values = state.values
    parts = [
        f"Joke:        {values.get('joke', '(not yet)')}",
        f"Explanation: {values.get('explanation', '(not yet)')}",
        "",
        "Current state:",
        f"  checkpoint  {state.config['configurable']['checkpoint_id']}",
        f"  step        {(state.metadata or {}).get('step')}   saved {state.created_at}",
        f"  next        {', '.join(state.next) or '(finished)'}",
    ]
    parts += [f"  {key:<11} {_short(value)}" for key, value in values.items()]
    header = ("step", "source", "node", "next", "changed keys")
    parts += [
        "",
        f"State history ({len(history)} checkpoints, newest first):",
        table(history_rows(history), header),
    ]
    return "\n".join(parts)
