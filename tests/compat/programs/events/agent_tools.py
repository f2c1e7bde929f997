"""A prebuilt ReAct agent under astream_events: model, tool and chain runs, by node."""

import asyncio

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.prebuilt import create_react_agent


@tool
def get_weather(city: str) -> str:
    """Weather in a city."""
    return f"Sunny in {city}"


class ToolModel(GenericFakeChatModel):
    def bind_tools(self, tools, **kwargs):
        return self


# Not streamed: the fake model cannot stream a tool call.
model = ToolModel(
    disable_streaming=True,
    messages=iter(
        [
            AIMessage(
                content="",
                id="ai-1",
                tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}, "id": "call-1"}],
            ),
            AIMessage(content="It is sunny in Oslo", id="ai-2"),
        ]
    ),
)
agent = create_react_agent(model, [get_weather], checkpointer=InMemorySaver())


async def main():
    config = {"configurable": {"thread_id": "agent"}}
    async for event in agent.astream_events(
        {"messages": [("user", "weather?")]}, config, version="v2"
    ):
        kind = event["event"]
        node = event["metadata"].get("langgraph_node")
        if kind in ("on_tool_start", "on_tool_end"):
            print(kind, event["name"], node, event["data"].get("input"), len(event["parent_ids"]))
            if kind == "on_tool_end":
                print("  output:", event["data"]["output"].content)
        elif kind == "on_chat_model_end":
            print("model", node, repr(event["data"]["output"].content), len(event["parent_ids"]))
        elif kind == "on_chain_start":
            print("start", event["name"], node, event["tags"], len(event["parent_ids"]))


asyncio.run(main())
