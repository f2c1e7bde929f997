"""An agent thread on SQLite: a second saver on the same file continues the conversation."""

import sqlite3

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.sqlite import SqliteSaver
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
def add(a: int, b: int) -> int:
    """Add."""
    return a + b


def build(script):
    connection = sqlite3.connect("agent.db", check_same_thread=False)
    return create_react_agent(
        ScriptedChatModel(script=script), [add], checkpointer=SqliteSaver(connection)
    ), connection


config = {"configurable": {"thread_id": "sqlite-thread"}}
agent, connection = build(
    [
        AIMessage(
            "", id="ai1", tool_calls=[{"name": "add", "args": {"a": 20, "b": 22}, "id": "c1"}]
        ),
        AIMessage("42", id="ai2"),
    ]
)
agent.invoke({"messages": [("user", "20+22?")]}, config)
connection.close()

agent, connection = build([AIMessage("You asked 20+22, which is 42.", id="ai3")])
print([m.content for m in agent.get_state(config).values["messages"]])
result = agent.invoke({"messages": [("user", "what did I ask?")]}, config)
print([(m.type, m.content) for m in result["messages"]])
tool_calls = [
    (call["name"], call["args"])
    for snapshot in agent.get_state_history(config)
    for message in snapshot.values.get("messages", [])[-1:]
    for call in getattr(message, "tool_calls", [])
]
print(tool_calls)
print([(s.metadata["step"], s.metadata["source"], s.next) for s in agent.get_state_history(config)])
connection.close()
