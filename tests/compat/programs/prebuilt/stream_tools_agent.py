"""stream_mode="tools" with create_react_agent: as the graph, as a subgraph, async, interrupted."""

import asyncio

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolRuntime, create_react_agent
from langgraph.types import Command, interrupt


class ScriptedChatModel(BaseChatModel):
    """Answers with the next scripted message, again from the start once done."""

    script: list
    position: int = 0

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        message = self.script[self.position % len(self.script)]
        self.position += 1
        return ChatResult(generations=[ChatGeneration(message=message)])


@tool
def get_weather(city: str, runtime: ToolRuntime) -> str:
    """Weather in a city."""
    runtime.emit_output_delta(f"looking up {city}")
    return f"Sunny in {city}"


@tool
def book(hotel: str) -> str:
    """Book a hotel, once a human says yes."""
    answer = interrupt(f"Book {hotel}?")
    return f"{hotel}: {answer}"


def weather_model():
    return ScriptedChatModel(
        script=[
            AIMessage(
                "",
                id="ai-1",
                tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}, "id": "call-w"}],
            ),
            AIMessage("It is sunny in Oslo", id="ai-2"),
        ]
    )


def show(namespace, data):
    data = dict(data)
    output = data.get("output")
    if hasattr(output, "content"):
        data["output"] = output.content
    return [part.split(":")[0] for part in namespace], data


agent = create_react_agent(weather_model(), [get_weather])
inputs = {"messages": [("user", "weather?")]}

print("-- agent, tools and updates")
for mode, chunk in agent.stream(inputs, stream_mode=["tools", "updates"]):
    print(mode, show((), chunk)[1] if mode == "tools" else list(chunk))

# The agent as a subgraph node: its tools stream only with subgraphs=True.
builder = StateGraph(MessagesState)
builder.add_node("assistant", create_react_agent(weather_model(), [get_weather]))
builder.add_edge(START, "assistant")
outer = builder.compile()

print("-- as a subgraph, subgraphs=False")
print(list(outer.stream(inputs, stream_mode="tools")))
print("-- as a subgraph, subgraphs=True")
for namespace, chunk in outer.stream(inputs, stream_mode="tools", subgraphs=True):
    print(*show(namespace, chunk))
print("-- as a subgraph, v2, subgraphs=True")
for part in outer.stream(inputs, stream_mode=["tools"], subgraphs=True, version="v2"):
    print(part["type"], *show(part["ns"], part["data"]))


async def main():
    print("-- async agent")
    async_agent = create_react_agent(weather_model(), [get_weather])
    async for mode, chunk in async_agent.astream(inputs, stream_mode=["tools", "values"]):
        if mode == "tools":
            print(mode, show((), chunk)[1])
        else:
            print(mode, len(chunk["messages"]))


asyncio.run(main())

print("-- an interrupted tool reports no error; it starts again on resume")
booking = create_react_agent(
    ScriptedChatModel(
        script=[
            AIMessage(
                "",
                id="ai-b",
                tool_calls=[{"name": "book", "args": {"hotel": "Ritz"}, "id": "call-b"}],
            ),
            AIMessage("Booked.", id="ai-c"),
        ]
    ),
    [book],
    checkpointer=InMemorySaver(),
)
config = {"configurable": {"thread_id": "booking"}}
for mode, chunk in booking.stream(
    {"messages": [("user", "book the Ritz")]}, config, stream_mode=["tools", "updates"]
):
    print(mode, show((), chunk)[1] if mode == "tools" else list(chunk))
for mode, chunk in booking.stream(Command(resume="yes"), config, stream_mode=["tools", "updates"]):
    print(mode, show((), chunk)[1] if mode == "tools" else list(chunk))
