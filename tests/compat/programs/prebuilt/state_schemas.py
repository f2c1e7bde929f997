"""Custom state schemas: a TypedDict with an extra key, and the pydantic AgentStatePydantic."""

from typing import Annotated

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.prebuilt import InjectedState, create_react_agent
from langgraph.prebuilt.chat_agent_executor import AgentState, AgentStatePydantic


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


class Typed(AgentState):
    city: str


class Model(AgentStatePydantic):
    city: str = "Bergen"


@tool
def weather(city: Annotated[str, InjectedState("city")]) -> str:
    """Weather where the user is."""
    return f"{city}: rain"


def script():
    return [
        AIMessage("", id="ai1", tool_calls=[{"name": "weather", "args": {}, "id": "c1"}]),
        AIMessage("Rain.", id="ai2"),
    ]


for schema, inputs in ((Typed, {"city": "Oslo"}), (Model, {})):
    for version in ("v1", "v2"):
        agent = create_react_agent(
            ScriptedChatModel(script=script()), [weather], state_schema=schema, version=version
        )
        result = agent.invoke({"messages": [("user", "weather?")], **inputs})
        print(
            schema.__name__,
            version,
            type(result).__name__,
            sorted(result),
            [m.content for m in result["messages"]],
        )
try:
    create_react_agent(
        ScriptedChatModel(script=[]), [weather], state_schema=Typed, response_format=dict
    )
except ValueError as error:
    print("ValueError", error)
