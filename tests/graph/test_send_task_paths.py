"""A ``Send`` task's path is LangGraph's ``("__pregel_push", index, False)``.

``False`` says the task is not a ``@task`` call. The path shows in
``get_state().tasks``, in the history and in the node's
``config["metadata"]["langgraph_path"]``; the task id is derived from the
index alone, so ids saved before the flag existed still match.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from cairngraph.checkpoint._ids import task_id_for
from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.graph import START, StateGraph
from cairngraph.types import Command, Send, interrupt
from tests.graph.conftest import Driver


class State(TypedDict):
    paths: Annotated[list[Any], operator.add]


def _graph() -> Any:
    def worker(state: State, config: Any) -> dict[str, Any]:
        interrupt("go?")
        return {"paths": [config["metadata"]["langgraph_path"]]}

    graph = StateGraph(State)
    graph.add_node("plan", lambda state: {"paths": []})
    graph.add_node("worker", worker)
    graph.add_edge(START, "plan")
    graph.add_conditional_edges("plan", lambda state: [Send("worker", {"paths": []})] * 2)
    return graph.compile(checkpointer=InMemorySaver())


def test_send_paths_end_with_false(driver: Driver) -> None:
    app = _graph()
    config = {"configurable": {"thread_id": "t"}}
    driver.invoke(app, {"paths": []}, config)
    snapshot = driver.get_state(app, config)
    assert [task.path for task in snapshot.tasks] == [
        ("__pregel_push", 0, False),
        ("__pregel_push", 1, False),
    ]
    namespace = config["configurable"].get("checkpoint_ns", "")
    checkpoint_id = snapshot.config["configurable"]["checkpoint_id"]
    assert [task.id for task in snapshot.tasks] == [
        task_id_for(checkpoint_id, namespace, "worker", ("__pregel_push", index))
        for index in (0, 1)
    ]
    resume = {item.id: "yes" for item in snapshot.interrupts}
    result = driver.invoke(app, Command(resume=resume), config)
    assert sorted(result["paths"]) == [("__pregel_push", 0, False), ("__pregel_push", 1, False)]
