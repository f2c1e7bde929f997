"""SqliteSaver(":memory:"): while a node waits in interrupt(), the user edits the state, then
resumes.
"""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    plan: str
    feedback: str


def review(state: State) -> dict:
    feedback = interrupt({"plan": state["plan"]})
    return {"feedback": f"{feedback} (on: {state['plan']})"}


builder = StateGraph(State)
builder.add_node("propose", lambda s: {"plan": "walk"})
builder.add_node("review", review)
builder.add_edge(START, "propose")
builder.add_edge("propose", "review")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "edit"}}
    print(graph.invoke({"plan": "", "feedback": ""}, config)["__interrupt__"][0].value)
    saved = saver.get_tuple(config)
    print("pending", sorted(w[1] for w in saved.pending_writes))
    graph.update_state(config, {"plan": "bike"})
    state = graph.get_state(config)
    print(
        state.next,
        state.values,
        state.metadata["source"],
        [t.interrupts for t in state.tasks] != [()],
    )
    result = graph.invoke(Command(resume="looks good"), config)
    print(result)
    print(
        [
            (s.metadata["step"], s.metadata["source"], s.next)
            for s in graph.get_state_history(config)
        ]
    )
