"""Keys only a node's own input schema declares show in ``values``, as LangGraph shows them.

They are never in ``invoke``'s result (the output schema), but stream ``values``
chunks, ``get_state().values`` and a task's ``result`` in the history show them.
"""

from __future__ import annotations

from typing import Any, TypedDict

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.graph import START, StateGraph
from tests.graph.conftest import Driver


class Public(TypedDict):
    question: str


class Private(TypedDict):
    question: str
    draft: str


def _graph() -> Any:
    def write(state: Public) -> Private:
        return {"question": state["question"], "draft": "d:" + state["question"]}

    def use(state: Private) -> dict[str, Any]:
        return {"question": state["draft"].upper()}

    graph = StateGraph(Public)
    graph.add_node("write", write)
    graph.add_node("use", use)
    graph.add_edge(START, "write")
    graph.add_edge("write", "use")
    return graph.compile(checkpointer=InMemorySaver())


def test_values_show_private_keys_and_the_output_does_not(driver: Driver) -> None:
    app = _graph()
    config = {"configurable": {"thread_id": "p"}}
    chunks = driver.stream(app, {"question": "q"}, config, stream_mode="values")
    assert chunks == [
        {"question": "q"},
        {"question": "q", "draft": "d:q"},
        {"question": "D:Q", "draft": "d:q"},
    ]
    assert driver.get_state(app, config).values == {"question": "D:Q", "draft": "d:q"}
    results = [[t.result for t in s.tasks] for s in driver.history(app, config)]
    assert results[2] == [{"question": "q", "draft": "d:q"}]
    assert driver.invoke(app, {"question": "x"}, {"configurable": {"thread_id": "o"}}) == {
        "question": "D:X"
    }
