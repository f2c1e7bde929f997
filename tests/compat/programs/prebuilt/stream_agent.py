"""Streaming an agent: updates (v1 and v2), values, and both modes together."""

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
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
def weather(city: str) -> str:
    """Weather."""
    return f"{city}: rain"


def script():
    return [
        AIMessage(
            "",
            id="ai1",
            tool_calls=[
                {"name": "weather", "args": {"city": "Oslo"}, "id": "c1"},
                {"name": "weather", "args": {"city": "Bergen"}, "id": "c2"},
            ],
        ),
        AIMessage("Rain in both.", id="ai2"),
    ]


for version in ("v1", "v2"):
    agent = create_react_agent(
        ScriptedChatModel(script=script()), [weather], version=version, name="forecaster"
    )
    chunks = list(agent.stream({"messages": [("user", "weather?")]}, stream_mode="updates"))
    # v2's two tool tasks run in parallel: their chunks come in the order they finish.
    chunks = chunks[:1] + sorted(chunks[1:-1], key=str) + chunks[-1:]
    for chunk in chunks:
        for node, update in chunk.items():
            print(version, node, [(m.type, m.content, m.name) for m in update["messages"]])
agent = create_react_agent(ScriptedChatModel(script=script()), [weather])
for state in agent.stream({"messages": [("user", "weather?")]}, stream_mode="values"):
    print("values", [m.type for m in state["messages"]])
agent = create_react_agent(ScriptedChatModel(script=script()), [weather])
for mode, chunk in agent.stream(
    {"messages": [("user", "weather?")]}, stream_mode=["updates", "values"]
):
    print(mode, sorted(chunk))
print(agent.name, create_react_agent(ScriptedChatModel(script=[]), [weather], name="bob").name)
