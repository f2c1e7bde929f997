"""SqliteSaver(":memory:"): replaying a checkpoint before an interrupt asks the question again."""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    pick: str


def choose(state: State) -> dict:
    return {"pick": interrupt("pick a number")}


builder = StateGraph(State)
builder.add_node("choose", choose)
builder.add_node("show", lambda s: {"pick": f"<{s['pick']}>"})
builder.add_edge(START, "choose")
builder.add_edge("choose", "show")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "replay"}}
    graph.invoke({"pick": ""}, config)
    print(graph.invoke(Command(resume="7"), config))
    waiting = next(s for s in graph.get_state_history(config) if s.next == ("choose",))
    print(
        "snapshot",
        waiting.metadata["step"],
        [i.value for i in waiting.interrupts],
        waiting.tasks[0].name,
    )
    again = graph.invoke(None, waiting.config)
    print([i.value for i in again["__interrupt__"]])
    print(graph.invoke(Command(resume="9"), config))
    print([s.values.get("pick") for s in graph.get_state_history(config)])
