"""A tool asks a human through interrupt(); the run resumes with Command(resume=...)."""

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
def book_hotel(hotel: str) -> str:
    """Book a hotel, after a human says yes."""
    answer = interrupt({"question": f"Book {hotel}?"})
    if answer["type"] == "accept":
        return f"Booked {hotel}."
    return f"Not booked: {answer['reason']}"


model = ScriptedChatModel(
    script=[
        AIMessage(
            "", id="ai1", tool_calls=[{"name": "book_hotel", "args": {"hotel": "Ritz"}, "id": "c1"}]
        ),
        AIMessage("Done, booked.", id="ai2"),
        AIMessage(
            "",
            id="ai3",
            tool_calls=[{"name": "book_hotel", "args": {"hotel": "Motel"}, "id": "c2"}],
        ),
        AIMessage("Okay, not booked.", id="ai4"),
    ]
)
agent = create_react_agent(model, [book_hotel], checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "hotel"}}
result = agent.invoke({"messages": [("user", "book the Ritz")]}, config)
print(result["__interrupt__"][0].value)
print(agent.get_state(config).next, agent.get_state(config).interrupts[0].value)
result = agent.invoke(Command(resume={"type": "accept"}), config)
print([m.content for m in result["messages"]])
for chunk in agent.stream(
    {"messages": [("user", "book the Motel")]}, config, stream_mode="updates"
):
    print(chunk.get("__interrupt__", [None])[0].value if "__interrupt__" in chunk else list(chunk))
for chunk in agent.stream(
    Command(resume={"type": "reject", "reason": "too far"}), config, stream_mode="updates"
):
    for node, update in chunk.items():
        print(node, [m.content for m in update["messages"]])
