"""create_react_agent with two tools, InMemorySaver and a thread: two turns, then the history."""

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.prebuilt import create_react_agent
from pydantic import Field


class ScriptedChatModel(BaseChatModel):
    """Answers with the next scripted message; records what it was sent."""

    script: list
    seen: list = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        self.seen.append([m.type for m in messages])
        message = self.script.pop(0)
        return ChatResult(generations=[ChatGeneration(message=message)])


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"It is sunny in {city}."


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


model = ScriptedChatModel(
    script=[
        AIMessage(
            "",
            id="ai1",
            tool_calls=[
                {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"},
                {"name": "add", "args": {"a": 2, "b": 3}, "id": "call_2"},
            ],
        ),
        AIMessage("Sunny, and 5.", id="ai2"),
        AIMessage("You asked about Paris.", id="ai3"),
    ]
)
agent = create_react_agent(
    model, [get_weather, add], prompt="You are terse.", checkpointer=InMemorySaver()
)
config = {"configurable": {"thread_id": "t1"}}
result = agent.invoke({"messages": [("user", "weather in Paris, and 2+3?")]}, config)
for message in result["messages"]:
    print(
        message.type,
        repr(message.content),
        getattr(message, "tool_calls", None),
        getattr(message, "name", None),
    )
result = agent.invoke({"messages": [("user", "what did I ask?")]}, config)
print(result["messages"][-1].content, len(result["messages"]))
print("model saw", model.seen)
for snapshot in agent.get_state_history(config):
    print(
        snapshot.metadata["step"],
        snapshot.metadata["source"],
        snapshot.next,
        len(snapshot.values["messages"]),
    )
print(sorted(agent.get_graph().nodes))
