"""stream_mode='messages' metadata: step, node, triggers; two models in two nodes."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import HumanMessage
from langgraph.graph import START, MessagesState, StateGraph

writer_model = FakeListChatModel(responses=["a short poem"])
critic_model = FakeListChatModel(responses=["nice"])


def write(state: MessagesState) -> dict:
    return {"messages": [writer_model.invoke(state["messages"])]}


def critique(state: MessagesState) -> dict:
    return {"messages": [critic_model.invoke(state["messages"])]}


builder = StateGraph(MessagesState)
builder.add_node("write", write)
builder.add_node("critique", critique)
builder.add_edge(START, "write")
builder.add_edge("write", "critique")
graph = builder.compile()

inputs = {"messages": [HumanMessage(content="poem please")]}
pieces = {}
for chunk, metadata in graph.stream(inputs, stream_mode="messages"):
    node = metadata["langgraph_node"]
    pieces.setdefault(node, []).append(chunk.content)
    print(node, metadata["langgraph_step"], metadata["langgraph_triggers"], repr(chunk.content))
print({node: "".join(parts) for node, parts in pieces.items()})
