"""Async: ainvoke and astream of an agent with async tools and an async prompt."""

import asyncio

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.prebuilt import create_react_agent


class ScriptedChatModel(BaseChatModel):
    """Answers with the next scripted message."""

    script: list

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=self.script.pop(0))])


@tool
async def slow_lookup(key: str) -> str:
    """Look a key up, slowly."""
    await asyncio.sleep(0.01)
    return f"value of {key}"


@tool
def fast(key: str) -> str:
    """Sync tool under async."""
    return key[::-1]


async def prompt(state):
    return [SystemMessage("async prompt"), *state["messages"]]


async def main():
    model = ScriptedChatModel(
        script=[
            AIMessage(
                "",
                id="ai1",
                tool_calls=[
                    {"name": "slow_lookup", "args": {"key": "a"}, "id": "c1"},
                    {"name": "fast", "args": {"key": "abc"}, "id": "c2"},
                ],
            ),
            AIMessage("found", id="ai2"),
            AIMessage(
                "", id="ai3", tool_calls=[{"name": "slow_lookup", "args": {"key": "b"}, "id": "c3"}]
            ),
            AIMessage("found again", id="ai4"),
        ]
    )
    agent = create_react_agent(
        model, [slow_lookup, fast], prompt=prompt, checkpointer=InMemorySaver()
    )
    config = {"configurable": {"thread_id": "async"}}
    result = await agent.ainvoke({"messages": [("user", "look up a")]}, config)
    print([m.content for m in result["messages"]])
    async for chunk in agent.astream(
        {"messages": [("user", "and b")]}, config, stream_mode="updates"
    ):
        for node, update in chunk.items():
            print(node, [m.content for m in update["messages"]])
    print(len((await agent.aget_state(config)).values["messages"]))


asyncio.run(main())
