"""``version="v2"``: typed stream parts and GraphOutput, through both drivers, on every saver."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from typing_extensions import TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.errors import InvalidConfigError
from cairngraph.graph import START, StateGraph
from cairngraph.types import Command, GraphOutput, Interrupt, interrupt
from tests.graph.conftest import Driver


class Ask(TypedDict):
    question: str
    answer: str


@dataclasses.dataclass
class Tally:
    count: int = 0


def _asking(saver: BaseCheckpointSaver) -> Any:
    def ask(state: Ask) -> dict[str, str]:
        return {"answer": interrupt(state["question"])}

    builder = StateGraph(Ask)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    return builder.compile(checkpointer=saver)


def test_parts_carry_type_namespace_data_and_interrupts(
    driver: Driver, saver: BaseCheckpointSaver
) -> None:
    app = _asking(saver)
    config = {"configurable": {"thread_id": "v2"}}
    parts = driver.stream(
        app, {"question": "why?"}, config, stream_mode=["updates", "values"], version="v2"
    )
    assert [part["type"] for part in parts] == ["values", "updates", "values"]
    assert all(part["ns"] == () for part in parts)
    paused = parts[-1]
    assert paused["data"] == {"question": "why?"}
    assert [item.value for item in paused["interrupts"]] == ["why?"]
    assert isinstance(parts[1]["data"]["__interrupt__"][0], Interrupt)
    out = driver.invoke(app, Command(resume="because"), config, version="v2")
    assert out == GraphOutput(value={"question": "why?", "answer": "because"}, interrupts=())
    assert out["answer"] == "because" and "__interrupt__" not in out


def test_invoke_returns_interrupts_apart_and_values_as_the_schema_class(
    driver: Driver, saver: BaseCheckpointSaver
) -> None:
    paused = driver.invoke(
        _asking(saver), {"question": "who?"}, {"configurable": {"thread_id": "t"}}, version="v2"
    )
    assert paused.value == {"question": "who?"}
    assert [item.value for item in paused.interrupts] == ["who?"]

    builder = StateGraph(Tally)
    builder.add_node("bump", lambda state: {"count": state.count + 1})
    builder.add_edge(START, "bump")
    app = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "tally"}}
    parts = driver.stream(app, Tally(), config, stream_mode="values", version="v2")
    assert [part["data"] for part in parts] == [Tally(0), Tally(1)]
    assert driver.invoke(app, None, config, version="v2").value == Tally(1)
    assert driver.invoke(app, None, config) == {"count": 1}


def test_an_unknown_version_is_refused(driver: Driver, saver: BaseCheckpointSaver) -> None:
    with pytest.raises(InvalidConfigError, match="version='v3'"):
        driver.invoke(_asking(saver), {"question": "x"}, {"configurable": {"thread_id": "x"}},
                      version="v3")  # fmt: skip
