"""A LangGraph thread whose pending ``Send``s carry timeouts, imported and resumed here.

LangGraph 1.2 stores a ``Send(timeout=)`` with its ``TimeoutPolicy``; the
import must keep it, so the resumed task is timed as it was on LangGraph.
"""

from __future__ import annotations

import asyncio
import operator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.langgraph import import_sqlite
from cairngraph.errors import NodeTimeoutError
from tests.savers import SAVER_FACTORIES

CONFIG = {"configurable": {"thread_id": "t1"}}
DELAYS = {"a": 0.0, "b": 5.0}


class State(TypedDict):
    items: list[str]
    done: Annotated[list[str], operator.add]


def build(prefix: str) -> Any:
    import importlib

    graph = importlib.import_module(f"{prefix}.graph")
    types = importlib.import_module(f"{prefix}.types")

    async def work(item: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(DELAYS[item["name"]])
        return {"done": [item["name"]]}

    def fan_out(state: State) -> list[Any]:
        return [
            types.Send("work", {"name": name}, timeout=types.TimeoutPolicy(run_timeout=0.05))
            for name in state["items"]
        ]

    builder = graph.StateGraph(State)
    builder.add_node("work", work)
    builder.add_conditional_edges(graph.START, fan_out, ["work"])
    return builder


@pytest.mark.parametrize("target_kind", ["sqlite", "postgres"])
def test_an_imported_send_keeps_its_timeout(tmp_path: Path, target_kind: str) -> None:
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
    from langgraph.errors import NodeTimeoutError as LangGraphTimeout

    path = tmp_path / "langgraph.db"
    DELAYS["b"] = 5.0

    async def on_langgraph() -> None:
        async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
            graph = build("langgraph").compile(checkpointer=saver)
            with pytest.raises(LangGraphTimeout):
                await graph.ainvoke({"items": ["a", "b"], "done": []}, CONFIG)

    asyncio.run(on_langgraph())
    (tmp_path / "target").mkdir()
    target: BaseCheckpointSaver
    with SAVER_FACTORIES[target_kind](tmp_path / "target") as target:
        report = import_sqlite(path, target)
        assert report.thread_ids == ["t1"]
        graph = build("cairngraph").compile(checkpointer=target)
        with pytest.raises(NodeTimeoutError) as raised:  # still timed: the Send kept it
            asyncio.run(graph.ainvoke(None, CONFIG))
        assert (raised.value.node, raised.value.timeout) == ("work", 0.05)
        DELAYS["b"] = 0.0
        assert asyncio.run(graph.ainvoke(None, CONFIG)) == {"items": ["a", "b"], "done": ["a", "b"]}
