"""create_react_agent: the loop, prompts, binding, hooks, structured answers, limits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from pydantic import BaseModel

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.prebuilt import ToolNode, create_react_agent
from cairngraph.prebuilt._agent_model import InvalidChatHistoryError
from cairngraph.prebuilt.chat_agent_executor import AgentState
from cairngraph.types import Command
from tests.prebuilt.scripted import ScriptedChatModel, calls


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def model(*script: AIMessage, structured: list[dict[str, Any]] | None = None) -> ScriptedChatModel:
    return ScriptedChatModel(script=list(script), structured=structured or [], seen=[])


def contents(result: dict[str, Any]) -> list[Any]:
    return [m.content for m in result["messages"]]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_loop_runs_tools_until_the_model_answers(version: str, run: Callable[..., Any]) -> None:
    llm = model(
        calls(("add", {"a": 2, "b": 3}), ("weather", {"city": "Oslo"})), AIMessage("done", id="a2")
    )
    agent = create_react_agent(llm, [add, weather], version=version, name="helper")
    result = run(agent, {"messages": [("user", "go")]})
    assert contents(result) == ["go", "", "5", "sunny in Oslo", "done"]
    assert [m.name for m in result["messages"] if m.type == "ai"] == ["helper", "helper"]
    assert [m.type for m in llm.seen[1]] == ["human", "ai", "tool", "tool"]


def test_tools_are_bound_to_the_model_and_a_mismatched_binding_is_refused() -> None:
    llm = model(AIMessage("hi"))
    agent = create_react_agent(llm, [add])
    bound = agent.get_graph()  # building it bound the model
    assert "agent" in bound.nodes
    with pytest.raises(ValueError, match="Missing tools"):
        create_react_agent(llm.bind_tools([weather]), [add])
    with pytest.raises(ValueError, match="must match"):
        create_react_agent(llm.bind_tools([weather, add]), [add])
    create_react_agent(llm.bind_tools([add]), [add])  # already bound: accepted as is


@pytest.mark.parametrize(
    "prompt",
    [
        "Be brief.",
        SystemMessage("Be brief."),
        lambda state: [SystemMessage("Be brief."), *state["messages"]],
        RunnableLambda(lambda state: [SystemMessage("Be brief."), *state["messages"]]),
    ],
)
def test_every_kind_of_prompt_goes_first(prompt: Any, run: Callable[..., Any]) -> None:
    llm = model(AIMessage("ok", id="a1"))
    run(create_react_agent(llm, [add], prompt=prompt), {"messages": [("user", "hi")]})
    assert [(m.type, m.content) for m in llm.seen[0]] == [("system", "Be brief."), ("human", "hi")]


def test_structured_response_is_a_second_model_call(run: Callable[..., Any]) -> None:
    class Answer(BaseModel):
        value: int

    llm = model(
        calls(("add", {"a": 1, "b": 1})), AIMessage("2", id="a2"), structured=[{"value": 2}]
    )
    agent = create_react_agent(llm, [add], response_format=("Reply as JSON.", Answer))
    result = run(agent, {"messages": [("user", "1+1")]})
    assert result["structured_response"] == Answer(value=2)
    assert [m.type for m in llm.seen[-1]] == ["system", "human", "ai", "tool", "ai"]


def test_pre_and_post_model_hooks(run: Callable[..., Any]) -> None:
    after: list[str] = []
    llm = model(calls(("add", {"a": 1, "b": 2})), AIMessage("3", id="a2"))
    agent = create_react_agent(
        llm,
        [add],
        pre_model_hook=lambda s: {"llm_input_messages": s["messages"][-1:]},
        post_model_hook=lambda s: after.append(s["messages"][-1].content) or {},
    )
    result = run(agent, {"messages": [("user", "one"), ("user", "two")]})
    assert contents(result) == ["one", "two", "", "3", "3"]
    assert [[m.content for m in seen] for seen in llm.seen] == [["two"], ["3"]]
    assert after == ["", "3"]
    assert "llm_input_messages" not in result


def test_too_few_steps_left_answers_sorry(run: Callable[..., Any]) -> None:
    llm = model(*[calls(("add", {"a": i, "b": 1}), message_id=f"a{i}") for i in range(5)])
    result = run(
        create_react_agent(llm, [add]), {"messages": [("user", "loop")]}, {"recursion_limit": 4}
    )
    assert contents(result)[-1] == "Sorry, need more steps to process this request."
    assert result["messages"][-1].id == "a1"


def test_return_direct_tool_ends_the_run(run: Callable[..., Any]) -> None:
    @tool(return_direct=True)
    def final(text: str) -> str:
        """Answer directly."""
        return text.upper()

    llm = model(calls(("final", {"text": "bye"})))
    result = run(create_react_agent(llm, [final, add]), {"messages": [("user", "x")]})
    assert contents(result) == ["x", "", "BYE"]


def test_human_approval_before_tools_then_resume() -> None:
    llm = model(calls(("add", {"a": 1, "b": 1})), AIMessage("2", id="a2"))
    agent = create_react_agent(llm, [add], checkpointer=InMemorySaver(), interrupt_before=["tools"])
    config = {"configurable": {"thread_id": "approval"}}
    agent.invoke({"messages": [("user", "1+1")]}, config)
    assert agent.get_state(config).next == ("tools",)
    result = agent.invoke(None, config)
    assert contents(result) == ["1+1", "", "2", "2"]


def test_unanswered_tool_call_in_history_is_refused() -> None:
    agent = create_react_agent(model(AIMessage("x")), [add])
    with pytest.raises(InvalidChatHistoryError, match="do not have a corresponding ToolMessage"):
        agent.invoke({"messages": [("user", "a"), calls(("add", {"a": 1, "b": 1}))]})


def test_dynamic_model_sync_and_async() -> None:
    llm = model(AIMessage("sync", id="s"), AIMessage("async", id="a"))
    agent = create_react_agent(lambda state, runtime: llm.bind_tools([add]), [add])
    assert contents(agent.invoke({"messages": [("user", "x")]}))[-1] == "sync"

    async def choose(state: Any, runtime: Any) -> Any:
        return llm.bind_tools([add])

    async_agent = create_react_agent(choose, [add])
    assert contents(asyncio.run(async_agent.ainvoke({"messages": [("user", "x")]})))[-1] == "async"
    with pytest.raises(RuntimeError, match="Async model callable provided"):
        async_agent.invoke({"messages": [("user", "x")]})


def test_agent_without_tools_and_with_a_tool_node(run: Callable[..., Any]) -> None:
    plain = run(
        create_react_agent(model(AIMessage("hi", id="h")), []), {"messages": [("user", "x")]}
    )
    assert contents(plain) == ["x", "hi"]
    node = ToolNode([add], handle_tool_errors="bad call")
    llm = model(calls(("add", {"a": "x"})), AIMessage("sorry", id="s"))
    result = run(create_react_agent(llm, node), {"messages": [("user", "x")]})
    assert [m.content for m in result["messages"] if isinstance(m, ToolMessage)] == ["bad call"]


def test_tool_command_in_an_agent(run: Callable[..., Any]) -> None:
    class State(AgentState):
        city: str

    @tool
    def move(city: str, tool_call_id: Any = None) -> Command:
        """Move to a city."""
        return Command(update={"city": city, "messages": [ToolMessage("moved", tool_call_id="c0")]})

    llm = model(calls(("move", {"city": "Rome"})), AIMessage("in Rome", id="r"))
    result = run(
        create_react_agent(llm, [move], state_schema=State), {"messages": [("user", "go")]}
    )
    assert result["city"] == "Rome" and contents(result)[-1] == "in Rome"


def test_bad_arguments_are_errors() -> None:
    llm = model()
    with pytest.raises(TypeError, match="unexpected keyword argument 'promt'"):
        create_react_agent(llm, [add], promt="x")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="Invalid version v3"):
        create_react_agent(llm, [add], version="v3")  # type: ignore[arg-type]

    class Missing(AgentState):
        pass

    with pytest.raises(ValueError, match="structured_response"):
        create_react_agent(llm, [add], state_schema=Missing, response_format=dict)
