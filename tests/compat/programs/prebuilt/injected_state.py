"""InjectedState and InjectedToolCallId in tools of create_react_agent (v1 and v2)."""

from typing import Annotated

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import InjectedToolCallId, tool
from langgraph.prebuilt import InjectedState, create_react_agent
from langgraph.prebuilt.chat_agent_executor import AgentState


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


class State(AgentState):
    user_id: str


@tool
def whoami(state: Annotated[dict, InjectedState]) -> str:
    """Who is asking."""
    return f"user {state['user_id']} after {len(state['messages'])} messages"


@tool
def count(
    messages: Annotated[list, InjectedState("messages")],
    tool_call_id: Annotated[str, InjectedToolCallId],
) -> str:
    """Count messages."""
    return f"{len(messages)} messages, call {tool_call_id}"


print(sorted(whoami.tool_call_schema.model_json_schema()["properties"]))
print(sorted(count.tool_call_schema.model_json_schema()["properties"]))
for version in ("v1", "v2"):
    model = ScriptedChatModel(
        script=[
            AIMessage(
                "",
                id="ai1",
                tool_calls=[
                    {"name": "whoami", "args": {}, "id": "c1"},
                    {"name": "count", "args": {"messages": ["forged"]}, "id": "c2"},
                ],
            ),
            AIMessage("ok", id="ai2"),
        ]
    )
    agent = create_react_agent(model, [whoami, count], state_schema=State, version=version)
    result = agent.invoke({"messages": [("user", "who am I?")], "user_id": "u-42"})
    print(version, [m.content for m in result["messages"]], result["user_id"])
