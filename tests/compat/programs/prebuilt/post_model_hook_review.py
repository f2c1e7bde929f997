"""post_model_hook as a review step: interrupt() asks a human about the model's tool calls."""

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.prebuilt import create_react_agent
from langgraph.types import Command, interrupt


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
def delete_file(path: str) -> str:
    """Delete a file."""
    return f"deleted {path}"


@tool
def list_files() -> str:
    """List files."""
    return "a.txt b.txt"


def review(state):
    last = state["messages"][-1]
    if not getattr(last, "tool_calls", None):
        return {}
    verdict = interrupt({"calls": [c["name"] for c in last.tool_calls]})
    if verdict == "ok":
        return {}
    kept = [c for c in last.tool_calls if c["name"] != "delete_file"]
    return {"messages": [AIMessage(last.content, id=last.id, tool_calls=kept)]}


model = ScriptedChatModel(
    script=[
        AIMessage(
            "",
            id="ai1",
            tool_calls=[
                {"name": "list_files", "args": {}, "id": "c1"},
                {"name": "delete_file", "args": {"path": "a.txt"}, "id": "c2"},
            ],
        ),
        AIMessage("Listed, not deleted.", id="ai2"),
    ]
)
agent = create_react_agent(
    model, [delete_file, list_files], post_model_hook=review, checkpointer=InMemorySaver()
)
config = {"configurable": {"thread_id": "review"}}
result = agent.invoke({"messages": [("user", "clean up")]}, config)
print(result["__interrupt__"][0].value, agent.get_state(config).next)
result = agent.invoke(Command(resume="drop deletes"), config)
print([(m.type, m.content) for m in result["messages"]])
print([(s.metadata["step"], s.next) for s in agent.get_state_history(config)])
