"""``NodeInterrupt``: LangGraph's older way for a node to pause the run (deprecated there too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

import pytest

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import GraphInterrupt, InvalidConfigError, NodeInterrupt
from cairngraph.graph import START, StateGraph
from cairngraph.types import Interrupt


class Payment(TypedDict, total=False):
    amount: int
    approved: bool
    runs: int


def _builder() -> StateGraph:
    def check(state: Payment) -> dict[str, Any]:
        if not state.get("approved"):
            raise NodeInterrupt({"needs": "approval", "amount": state["amount"]})
        return {"runs": 1}

    builder = StateGraph(Payment)
    builder.add_node("check", check)
    builder.add_edge(START, "check")
    return builder


def test_it_is_a_graph_interrupt_holding_one_interrupt_and_warns_that_it_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="interrupt"):
        error = NodeInterrupt("why", id="my-id")
    assert isinstance(error, GraphInterrupt)
    assert error.interrupts == (Interrupt(value="why", id="my-id"),)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_paused_thread_resumes_in_a_new_saver_after_update_state(tmp_path: Path) -> None:
    path = str(tmp_path / "pay.db")
    config = {"configurable": {"thread_id": "p"}}
    with SqliteSaver.from_conn_string(path) as saver:
        result = _builder().compile(checkpointer=saver).invoke({"amount": 500}, config)
        (paused,) = result["__interrupt__"]
        assert paused.value == {"needs": "approval", "amount": 500}
        assert paused.id == "placeholder-id"
    with SqliteSaver.from_conn_string(path) as saver:
        graph = _builder().compile(checkpointer=saver)
        assert graph.get_state(config).next == ("check",)
        graph.update_state(config, {"approved": True})
        assert graph.invoke(None, config) == {"amount": 500, "approved": True, "runs": 1}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_without_a_checkpointer_it_is_a_clear_error_naming_the_node() -> None:
    with pytest.raises(InvalidConfigError, match=r"'check' paused the run.*checkpointer"):
        _builder().compile().invoke({"amount": 5})
