"""A node streams a chat subgraph itself with stream_mode="messages" and relays its tokens."""

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import START, MessagesState, StateGraph

model = GenericFakeChatModel(messages=iter([AIMessage(content="draft one ready")] * 6))


def write(state: MessagesState) -> dict:
    return {"messages": [model.invoke(state["messages"])]}


writer_graph = StateGraph(MessagesState)
writer_graph.add_node("write", write)
writer_graph.add_edge(START, "write")
writer = writer_graph.compile()


heard = []


def editor(state: MessagesState) -> dict:
    tokens = []
    for chunk, metadata in writer.stream(state, stream_mode="messages"):
        tokens.append((chunk.content, metadata["langgraph_node"]))
    heard.append(tokens)
    return {"messages": [AIMessage(content="edited: " + "".join(t for t, _ in tokens))]}


builder = StateGraph(MessagesState)
builder.add_node("editor", editor)
builder.add_edge(START, "editor")
graph = builder.compile()

inputs = {"messages": [HumanMessage(content="write something")]}
print([m.content for m in graph.invoke(inputs)["messages"]])
for chunk, metadata in graph.stream(inputs, stream_mode="messages"):
    print("outer", repr(chunk.content), metadata["langgraph_node"])
for namespace, (chunk, metadata) in graph.stream(inputs, stream_mode="messages", subgraphs=True):
    print(
        "outer+sub",
        [p.split(":")[0] for p in namespace],
        repr(chunk.content),
        metadata["langgraph_node"],
    )
