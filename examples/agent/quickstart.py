"""docs/prebuilt.md's example: a ReAct agent with two tools, a saved thread, and ToolNode alone.

Runs offline: the chat model is a scripted langchain-core model (swap in any
chat model with ``bind_tools``, e.g. ``ChatGroq``, and nothing else changes).
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.graph import START, MessagesState, StateGraph
from cairngraph.prebuilt import ToolNode, create_react_agent, tools_condition


class ScriptedModel(BaseChatModel):
    """Answers with its script, in order."""

    script: list[AIMessage]

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.script.pop(0))])


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"It is sunny in {city}."


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def ask(*calls: tuple[str, dict[str, Any]]) -> AIMessage:
    return AIMessage(
        "", tool_calls=[{"name": n, "args": a, "id": f"call_{i}"} for i, (n, a) in enumerate(calls)]
    )


# 1. create_react_agent: the model, its tools, a prompt and a checkpointer.
model = ScriptedModel(
    script=[
        ask(("get_weather", {"city": "Paris"}), ("add", {"a": 2, "b": 3})),
        AIMessage("Sunny in Paris; 2 + 3 = 5."),
    ]
)
agent = create_react_agent(
    model, [get_weather, add], prompt="You are terse.", checkpointer=InMemorySaver()
)
config = {"configurable": {"thread_id": "demo"}}
result = agent.invoke({"messages": [("user", "Weather in Paris? And 2+3?")]}, config)
for message in result["messages"]:
    print(f"{message.type:>5}: {message.content or message.tool_calls}")
print("saved steps:", [s.metadata["step"] for s in agent.get_state_history(config)])

# 2. The same loop by hand: StateGraph + ToolNode + tools_condition.
llm = ScriptedModel(script=[ask(("add", {"a": 40, "b": 2})), AIMessage("42")])
builder = StateGraph(MessagesState)
builder.add_node("chatbot", lambda state: {"messages": [llm.invoke(state["messages"])]})
builder.add_node("tools", ToolNode([add]))
builder.add_edge(START, "chatbot")
builder.add_conditional_edges("chatbot", tools_condition)
builder.add_edge("tools", "chatbot")
result = builder.compile().invoke({"messages": [("user", "40 + 2?")]})
print([message.content for message in result["messages"]])
