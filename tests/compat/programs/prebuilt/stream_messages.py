"""stream_mode="messages": the model's messages and the tools' answers, with their metadata."""

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


model = ScriptedChatModel(
    script=[
        AIMessage(
            "", id="ai1", tool_calls=[{"name": "weather", "args": {"city": "Oslo"}, "id": "c1"}]
        ),
        AIMessage("Rain.", id="ai2"),
    ]
)
agent = create_react_agent(model, [weather], prompt="Be short.")
for message, metadata in agent.stream({"messages": [("user", "weather?")]}, stream_mode="messages"):
    print(
        type(message).__name__,
        repr(message.content),
        metadata["langgraph_node"],
        metadata["langgraph_step"],
        metadata.get("ls_model_type"),
    )
