"""The chatbot tutorial: StateGraph + ToolNode + tools_condition, streamed as updates."""

from typing import Annotated

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition
from typing_extensions import TypedDict


class ScriptedChatModel(BaseChatModel):
    script: list

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=self.script.pop(0))])


class State(TypedDict):
    messages: Annotated[list, add_messages]


@tool
def search(query: str) -> str:
    """Search the web."""
    return f"LangGraph is a library for building stateful agents ({query})."


@tool
def lookup(term: str) -> dict:
    """Look up a term."""
    return {"term": term, "found": True}


llm = ScriptedChatModel(
    script=[
        AIMessage(
            "",
            id="ai1",
            tool_calls=[
                {"name": "search", "args": {"query": "langgraph"}, "id": "c1"},
                {"name": "lookup", "args": {"term": "agent"}, "id": "c2"},
            ],
        ),
        AIMessage("LangGraph builds agents.", id="ai2"),
    ]
)
llm_with_tools = llm.bind_tools([search, lookup])


def chatbot(state: State):
    return {"messages": [llm_with_tools.invoke(state["messages"])]}


graph_builder = StateGraph(State)
graph_builder.add_node("chatbot", chatbot)
tool_node = ToolNode(tools=[search, lookup])
graph_builder.add_node("tools", tool_node)
graph_builder.add_conditional_edges("chatbot", tools_condition)
graph_builder.add_edge("tools", "chatbot")
graph_builder.add_edge(START, "chatbot")
graph = graph_builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "1"}}
for event in graph.stream({"messages": [HumanMessage("What is LangGraph?", id="h1")]}, config):
    for node, value in event.items():
        for message in value["messages"]:
            print(node, message.type, repr(message.content), message.id is not None)
snapshot = graph.get_state(config)
print(snapshot.next, [m.type for m in snapshot.values["messages"]])
print(
    tools_condition(snapshot.values),
    tools_condition(
        {"messages": [AIMessage("", tool_calls=[{"name": "search", "args": {}, "id": "x"}])]}
    ),
)
