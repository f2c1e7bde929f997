"""stream_mode='messages': tokens from a fake chat model, tagged with the node name."""

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import START, MessagesState, StateGraph

model = GenericFakeChatModel(messages=iter([AIMessage(content="the sky is blue today")]))


def call_model(state: MessagesState) -> dict:
    return {"messages": [model.invoke(state["messages"])]}


builder = StateGraph(MessagesState)
builder.add_node("call_model", call_model)
builder.add_edge(START, "call_model")
graph = builder.compile()

inputs = {"messages": [HumanMessage(content="what colour is the sky?")]}
for chunk, metadata in graph.stream(inputs, stream_mode="messages"):
    print((chunk.content, metadata["langgraph_node"]), type(chunk).__name__)
