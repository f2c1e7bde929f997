"""ValidationNode checks tool calls against schemas; a dynamic model and a callable prompt."""

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ValidationNode, create_react_agent
from pydantic import BaseModel, Field


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


class SelectNumber(BaseModel):
    a: int = Field(ge=0)


def pick(b: str) -> None:
    """Pick b."""


builder = StateGraph(MessagesState)
builder.add_node(
    "model",
    lambda s: {
        "messages": [
            AIMessage(
                "",
                id="ai1",
                tool_calls=[
                    {"name": "SelectNumber", "args": {"a": 3}, "id": "v1"},
                    {"name": "SelectNumber", "args": {"a": -1}, "id": "v2"},
                    {"name": "pick", "args": {"b": "x"}, "id": "v3"},
                ],
            )
        ]
    },
)
builder.add_node("validation", ValidationNode([SelectNumber, pick]))
builder.add_edge(START, "model")
builder.add_edge("model", "validation")
builder.add_edge("validation", END)
result = builder.compile().invoke({"messages": [("user", "pick")]})
for message in result["messages"][2:]:
    print(
        message.tool_call_id,
        message.name,
        message.content.splitlines()[0],
        message.additional_kwargs,
    )


@tool
def shout(text: str) -> str:
    """Shout."""
    return text.upper()


small = ScriptedChatModel(script=[AIMessage("small answer", id="s1")])
large = ScriptedChatModel(
    script=[
        AIMessage("", id="l1", tool_calls=[{"name": "shout", "args": {"text": "hey"}, "id": "c1"}]),
        AIMessage("large answer", id="l2"),
    ]
)
chosen = []


def choose(state, runtime):
    model = small if len(state["messages"]) < 2 else large
    chosen.append("small" if model is small else "large")
    return model.bind_tools([shout])


def prompt(state):
    return [SystemMessage(f"{len(state['messages'])} messages so far"), *state["messages"]]


agent = create_react_agent(choose, [shout], prompt=prompt)
print([m.content for m in agent.invoke({"messages": [("user", "hi")]})["messages"]])
print(
    [m.content for m in agent.invoke({"messages": [("user", "hi"), ("user", "again")]})["messages"]]
)
print(chosen)
