"""Delete and replace messages from outside the graph with update_state."""

from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.graph.message import REMOVE_ALL_MESSAGES


def bot(state: MessagesState) -> dict:
    return {"messages": [AIMessage(content=f"I count {len(state['messages'])}")]}


builder = StateGraph(MessagesState)
builder.add_node("bot", bot)
builder.add_edge(START, "bot")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "edit"}}
graph.invoke({"messages": [HumanMessage(content="one", id="1")]}, config)
graph.invoke({"messages": [HumanMessage(content="two", id="2")]}, config)
state = graph.get_state(config)
print([m.content for m in state.values["messages"]])

ai_ids = [m.id for m in state.values["messages"] if isinstance(m, AIMessage)]
updated = graph.update_state(config, {"messages": [RemoveMessage(id=i) for i in ai_ids]})
state = graph.get_state(updated)
print(
    [m.content for m in state.values["messages"]],
    state.next,
    state.metadata["source"],
    state.metadata["step"],
)

graph.update_state(config, {"messages": [HumanMessage(content="TWO", id="2")]})
print([m.content for m in graph.get_state(config).values["messages"]])

graph.update_state(
    config,
    {"messages": [RemoveMessage(id=REMOVE_ALL_MESSAGES), HumanMessage(content="again", id="3")]},
)
print([m.content for m in graph.get_state(config).values["messages"]])
print(graph.invoke(None, config)["messages"][-1].content)
print(graph.invoke({"messages": [("user", "more")]}, config)["messages"][-1].content)

try:
    graph.update_state(config, {"messages": [RemoveMessage(id="no-such-id")]})
except ValueError as error:
    print("ValueError", type(error).__name__)
