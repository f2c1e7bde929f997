"""A saved checkpoint's ``channel_values`` hold the engine's channels as LangGraph's do.

A due trigger ``branch:to:<node>`` holds ``None`` until its node has run, a
join barrier the set of sources seen (empty once the join ran), the
``__pregel_tasks`` channel its ``Send`` packets (empty once they ran), a
deferred node's trigger ``[None, finished]``. Runs against every saver.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Send
from tests.graph.conftest import Driver


class State(TypedDict):
    x: Annotated[list[str], operator.add]


def _graph(saver: BaseCheckpointSaver) -> Any:
    def route(state: State) -> list[Any]:
        return [Send("w", {"x": ["s"]}), "c"]

    graph = StateGraph(State)
    for name in ("a", "b", "c", "w", "j"):
        graph.add_node(name, lambda state, name=name: {"x": [name]})
    graph.add_node("d", lambda state: {"x": ["d"]}, defer=True)
    graph.add_edge(START, "a")
    graph.add_edge(START, "b")
    graph.add_conditional_edges("a", route)
    graph.add_edge(["b", "c"], "j")
    graph.add_edge("j", "d")
    graph.add_edge("d", END)
    return graph.compile(checkpointer=saver, interrupt_before=["j"])


def _engine_channels(values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key != "x"}


def test_channel_values_show_triggers_joins_sends(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    app = _graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    driver.invoke(app, {"x": []}, config)
    driver.invoke(app, None, config)
    by_step = {
        item.metadata["step"]: _engine_channels(item.checkpoint["channel_values"])
        for item in saver.list(config)
    }
    assert by_step[-1] == {"__start__": {"x": []}}
    assert by_step[0] == {"branch:to:a": None, "branch:to:b": None}
    assert by_step[1] == {
        "__pregel_tasks": [Send("w", {"x": ["s"]})],
        "branch:to:c": None,
        "join:b+c:j": {"b"},
    }
    assert by_step[2] == {"__pregel_tasks": [], "join:b+c:j": {"b", "c"}}
    assert by_step[3] == {"__pregel_tasks": [], "join:b+c:j": set(), "branch:to:d": [None, True]}
    assert by_step[4] == {"__pregel_tasks": [], "join:b+c:j": set()}
    # The state a user reads never shows them.
    assert set(driver.get_state(app, config).values) == {"x"}


def test_a_checkpoint_saved_in_the_old_form_still_restores() -> None:
    """Checkpoints saved before held ``"written"``/``"finished"`` and sorted lists."""
    from cairngraph.engine.channels import DeferredTrigger, NamedBarrier

    finished = DeferredTrigger("branch:to:d").restore("finished")
    assert finished.is_available() and finished.snapshot() == [None, True]
    written = DeferredTrigger("branch:to:d").restore("written")
    assert not written.is_available() and written.snapshot() == [None, False]
    barrier = NamedBarrier("join:b+c:j", ["b", "c"]).restore(["b", "c"])
    assert barrier.is_available() and barrier.snapshot() == {"b", "c"}
