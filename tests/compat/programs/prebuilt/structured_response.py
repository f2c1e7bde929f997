"""response_format: a structured answer from a second model call, with and without a prompt."""

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent
from pydantic import BaseModel, Field


class ScriptedChatModel(BaseChatModel):
    """Answers with the next scripted message; structured output from a scripted dict."""

    script: list
    structured: list = Field(default_factory=list)
    seen: list = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, **kwargs):
        return self

    def with_structured_output(self, schema, **kwargs):
        def answer(messages):
            self.seen.append([m.type for m in messages])
            data = self.structured.pop(0)
            return schema(**data) if isinstance(schema, type) else data

        return RunnableLambda(answer)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=self.script.pop(0))])


class Weather(BaseModel):
    city: str
    conditions: str


@tool
def get_weather(city: str) -> str:
    """The weather."""
    return "sunny"


model = ScriptedChatModel(
    script=[
        AIMessage(
            "", id="ai1", tool_calls=[{"name": "get_weather", "args": {"city": "Rome"}, "id": "c1"}]
        ),
        AIMessage("It is sunny in Rome.", id="ai2"),
        AIMessage("Sunny in Oslo too.", id="ai3"),
    ],
    structured=[{"city": "Rome", "conditions": "sunny"}, {"city": "Oslo", "conditions": "sunny"}],
)
agent = create_react_agent(model, [get_weather], response_format=Weather)
result = agent.invoke({"messages": [("user", "weather in Rome?")]})
print(repr(result["structured_response"]), [m.type for m in result["messages"]])
agent = create_react_agent(model, [get_weather], response_format=("Answer as JSON.", Weather))
for chunk in agent.stream({"messages": [("user", "Oslo?")]}, stream_mode="updates"):
    print(
        list(chunk), repr(chunk.get("generate_structured_response", {}).get("structured_response"))
    )
print(model.seen)
print(sorted(agent.get_graph().nodes))
