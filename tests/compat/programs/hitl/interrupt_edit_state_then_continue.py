"""An interrupt returns the human's edits of the state; the node writes them; history shows it."""

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    summary: str
    edited: bool


def generate(state: State) -> dict:
    return {"summary": "The cat sat on the mat"}


def human_edit(state: State) -> dict:
    result = interrupt({"task": "Review and edit the summary", "summary": state["summary"]})
    return {
        "summary": result["edited_summary"],
        "edited": result["edited_summary"] != state["summary"],
    }


def publish(state: State) -> dict:
    return {"summary": state["summary"] + "."}


builder = StateGraph(State)
builder.add_node("generate", generate)
builder.add_node("human_edit", human_edit)
builder.add_node("publish", publish)
builder.add_edge(START, "generate")
builder.add_edge("generate", "human_edit")
builder.add_edge("human_edit", "publish")
builder.add_edge("publish", END)

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "edit"}}
    result = graph.invoke({"summary": "", "edited": False}, config)
    interrupt_ = result["__interrupt__"][0]
    print(interrupt_.value, result["summary"])
    snapshot = graph.get_state(config)
    print(
        snapshot.next,
        [(t.name, [i.value["task"] for i in t.interrupts]) for t in snapshot.tasks],
        len(snapshot.interrupts),
    )
    print(graph.invoke(Command(resume={"edited_summary": "The dog slept"}), config))
    for s in graph.get_state_history(config):
        print(
            s.metadata["step"],
            s.metadata["source"],
            s.next,
            s.values.get("summary"),
            [t.result for t in s.tasks],
        )
