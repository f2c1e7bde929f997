"""stream_mode=["messages", "tools"]: a node's model tokens, then the tool it calls itself."""

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph


@tool
def add(a: int, b: int) -> int:
    """Add."""
    return a + b


def ask(state):
    model = GenericFakeChatModel(messages=iter([AIMessage(content="one two three")]))
    reply = model.invoke(state["messages"])
    add.invoke({"a": 1, "b": 2})
    return {"messages": [reply]}


b = StateGraph(MessagesState)
b.add_node("ask", ask)
b.add_edge(START, "ask")
g = b.compile()
for mode, c in g.stream({"messages": [("user", "q")]}, stream_mode=["messages", "tools"]):
    print(mode, c[0].content if mode == "messages" else c["event"])
print("-- tools with values")
for mode, c in g.stream({"messages": [("user", "q")]}, stream_mode=["tools", "values"]):
    print(mode, [m.content for m in c["messages"]] if mode == "values" else c["event"])
