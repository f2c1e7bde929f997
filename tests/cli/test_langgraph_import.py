"""cairn import-langgraph: a file LangGraph's own SqliteSaver wrote, into a cairngraph store."""

from __future__ import annotations

import operator
import sqlite3
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver as LangGraphSqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt

from tests.cli.helpers import as_json, invoke


class Notes(TypedDict):
    notes: Annotated[list[str], operator.add]


def _write(state: Notes) -> dict[str, Any]:
    return {"notes": ["drafted"]}


def _review(state: Notes) -> dict[str, Any]:
    return {"notes": [f"review: {interrupt('ok?')}"]}


def _langgraph_file(path: Path) -> None:
    builder = StateGraph(Notes)
    builder.add_node("write", _write)
    builder.add_node("review", _review)
    builder.add_edge(START, "write")
    builder.add_edge("write", "review")
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        graph = builder.compile(checkpointer=LangGraphSqliteSaver(conn))
        for thread in ("a", "b"):
            graph.invoke({"notes": []}, {"configurable": {"thread_id": thread}})
    finally:
        conn.close()


def test_import_langgraph_copies_the_threads_and_their_history(tmp_path: Path) -> None:
    source, target = tmp_path / "langgraph.db", str(tmp_path / "cairn.db")
    _langgraph_file(source)
    done = as_json(
        invoke("--db", target, "import-langgraph", str(source), "--thread", "a", "--json")
    )
    assert done["threads"] == 1 and done["thread_ids"] == ["a"] and done["checkpoints"] == 3
    history = as_json(invoke("--db", target, "history", "a", "--json"))["checkpoints"]
    assert [row["step"] for row in history] == [1, 0, -1]
    assert history[0]["next"] == ["review"]
    everything = as_json(
        invoke("--db", target, "import-langgraph", f"sqlite:///{source}", "--json")
    )
    assert everything["threads"] == 2
    bad = invoke("--db", target, "import-langgraph", "mysql://nowhere/x")
    assert bad.exit_code != 0 and "\n" not in bad.stderr.strip()
