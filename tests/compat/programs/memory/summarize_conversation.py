"""Summarize a long conversation into a summary key and delete all but the last messages."""

from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage, SystemMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, MessagesState, StateGraph


class State(MessagesState):
    summary: str


def chat(state: State) -> dict:
    summary = state.get("summary", "")
    prefix = [SystemMessage(content=f"Summary: {summary}")] if summary else []
    seen = prefix + state["messages"]
    return {"messages": [AIMessage(content=f"answer after {len(seen)} messages")]}


def should_summarize(state: State) -> str:
    return "summarize" if len(state["messages"]) > 4 else END


def summarize(state: State) -> dict:
    old = state.get("summary", "")
    words = [m.content.split()[0] for m in state["messages"][:-2]]
    summary = (old + " | " if old else "") + " ".join(words)
    return {
        "summary": summary,
        "messages": [RemoveMessage(id=m.id) for m in state["messages"][:-2]],
    }


builder = StateGraph(State)
builder.add_node("chat", chat)
builder.add_node("summarize", summarize)
builder.add_edge(START, "chat")
builder.add_conditional_edges("chat", should_summarize)
builder.add_edge("summarize", END)

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "long chat"}}
    for text in ["alpha one", "beta two", "gamma three", "delta four", "epsilon five"]:
        for chunk in graph.stream(
            {"messages": [HumanMessage(content=text)]}, config, stream_mode="updates"
        ):
            for node, update in chunk.items():
                print(node, sorted(update))
        values = graph.get_state(config).values
        print(values.get("summary"), [m.content for m in values["messages"]])
    print([(s.metadata["step"], s.next) for s in graph.get_state_history(config, limit=5)])
