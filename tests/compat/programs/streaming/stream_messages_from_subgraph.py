"""stream_mode='messages' from a model inside a subgraph, with and without subgraphs=True."""

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import START, MessagesState, StateGraph


def make_model():
    return GenericFakeChatModel(messages=iter([AIMessage(content="inner answer here")]))


def ask(state: MessagesState) -> dict:
    return {"messages": [make_model().invoke(state["messages"])]}


sub = StateGraph(MessagesState)
sub.add_node("ask", ask)
sub.add_edge(START, "ask")
child = sub.compile()

builder = StateGraph(MessagesState)
builder.add_node("child", child)
builder.add_edge(START, "child")
graph = builder.compile()

inputs = {"messages": [HumanMessage(content="question")]}
for chunk, metadata in graph.stream(inputs, stream_mode="messages"):
    print(
        repr(chunk.content),
        metadata["langgraph_node"],
        metadata["langgraph_checkpoint_ns"].count("|"),
    )
for namespace, (chunk, metadata) in graph.stream(inputs, stream_mode="messages", subgraphs=True):
    print(
        [part.split(":")[0] for part in namespace],
        repr(chunk.content),
        metadata["langgraph_node"],
        metadata["langgraph_step"],
    )
