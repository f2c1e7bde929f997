"""ValidationNode: valid calls answered with their arguments, invalid ones with the error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from cairngraph.graph import END, START, MessagesState, StateGraph
from cairngraph.prebuilt import ValidationNode
from cairngraph.prebuilt._tool_errors import ToolNodeInputError
from tests.prebuilt.scripted import calls


class Pick(BaseModel):
    n: int = Field(ge=0)


@tool
def search(query: str) -> str:
    """Search."""
    return query


def choose(color: str) -> None:
    """Choose a color."""


def test_validates_each_call_against_its_schema(run: Callable[..., Any]) -> None:
    builder = StateGraph(MessagesState)
    message = calls(
        ("Pick", {"n": 1}), ("Pick", {"n": -1}), ("search", {"query": "q"}), ("choose", {})
    )
    builder.add_node("model", lambda s: {"messages": [message]})
    builder.add_node("validate", ValidationNode([Pick, search, choose]))
    builder.add_edge(START, "model")
    builder.add_edge("model", "validate")
    builder.add_edge("validate", END)
    result = run(builder.compile(), {"messages": [HumanMessage("go")]})
    answers = result["messages"][2:]
    assert [(m.tool_call_id, m.additional_kwargs.get("is_error", False)) for m in answers] == [
        ("c0", False),
        ("c1", True),
        ("c2", False),
        ("c3", True),
    ]
    assert answers[0].content == '{"n":1}'
    assert answers[1].content.endswith("Respond after fixing all validation errors.")


def test_custom_format_error_and_list_input() -> None:
    node = ValidationNode([Pick], format_error=lambda error, call, schema: f"bad {call['id']}")
    assert [m.content for m in node.invoke([calls(("Pick", {"n": "x"}))])] == ["bad c0"]
    with pytest.raises(ToolNodeInputError, match="Last message is not an AIMessage"):
        node.invoke([HumanMessage("x")])
    with pytest.raises(ToolNodeInputError, match="Unsupported input"):
        ValidationNode([42])  # type: ignore[list-item]
