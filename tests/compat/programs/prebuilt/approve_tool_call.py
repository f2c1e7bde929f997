"""interrupt_before=["tools"]: a human looks at the tool call, edits it, then approves."""

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
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
def send_email(to: str, body: str) -> str:
    """Send an email."""
    return f"sent to {to}: {body}"


model = ScriptedChatModel(
    script=[
        AIMessage(
            "",
            id="ai1",
            tool_calls=[
                {"name": "send_email", "args": {"to": "bob@x.org", "body": "hi"}, "id": "c1"}
            ],
        ),
        AIMessage("Email sent.", id="ai2"),
    ]
)
agent = create_react_agent(
    model, [send_email], checkpointer=InMemorySaver(), interrupt_before=["tools"]
)
config = {"configurable": {"thread_id": "approve"}}
for chunk in agent.stream({"messages": [("user", "email bob")]}, config, stream_mode="updates"):
    print("first", list(chunk))
state = agent.get_state(config)
print("paused at", state.next, [t.name for t in state.tasks])
call = state.values["messages"][-1].tool_calls[0]
print("proposed", call["name"], call["args"])
last = state.values["messages"][-1]
edited = AIMessage(
    "", id=last.id, tool_calls=[{**call, "args": {**call["args"], "to": "alice@x.org"}}]
)
agent.update_state(config, {"messages": [edited]})
print("after edit", agent.get_state(config).next)
for chunk in agent.stream(None, config, stream_mode="updates"):
    for node, update in chunk.items():
        print("resumed", node, [m.content for m in update["messages"]])
print([m.type for m in agent.get_state(config).values["messages"]])
print([(s.metadata["step"], s.metadata["source"], s.next) for s in agent.get_state_history(config)])
