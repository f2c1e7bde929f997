"""pre_model_hook trims what the model sees (llm_input_messages); post_model_hook runs after it."""

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, RemoveMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph.message import REMOVE_ALL_MESSAGES
from langgraph.prebuilt import create_react_agent
from pydantic import Field


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


class RecordingModel(ScriptedChatModel):
    seen: list = Field(default_factory=list)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        self.seen.append([m.content for m in messages])
        return super()._generate(messages, stop, run_manager, **kwargs)


@tool
def note(text: str) -> str:
    """Take a note."""
    return f"noted {text}"


def keep_last_three(state):
    return {"llm_input_messages": state["messages"][-3:]}


post_calls = []


def audit(state):
    post_calls.append(state["messages"][-1].content)
    return {}


model = RecordingModel(
    script=[
        AIMessage("", id="ai1", tool_calls=[{"name": "note", "args": {"text": "a"}, "id": "c1"}]),
        AIMessage("first done", id="ai2"),
        AIMessage("second done", id="ai3"),
    ]
)
agent = create_react_agent(
    model,
    [note],
    pre_model_hook=keep_last_three,
    post_model_hook=audit,
    checkpointer=InMemorySaver(),
)
config = {"configurable": {"thread_id": "trim"}}
agent.invoke({"messages": [("user", "m1"), ("ai", "m2"), ("user", "note a")]}, config)
result = agent.invoke({"messages": [("user", "again")]}, config)
print([m.content for m in result["messages"]])
print("llm_input_messages" in result, model.seen)
print(post_calls)
print(sorted(agent.get_graph().nodes))


def summarize(state):
    return {"messages": [RemoveMessage(id=REMOVE_ALL_MESSAGES), *state["messages"][-1:]]}


model2 = RecordingModel(script=[AIMessage("short", id="s1")])
agent2 = create_react_agent(model2, [note], pre_model_hook=summarize)
result = agent2.invoke({"messages": [("user", "one"), ("user", "two")]})
print([m.content for m in result["messages"]], model.seen[-1])
