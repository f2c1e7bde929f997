"""SqliteSaver(":memory:"): an interrupt() waits in the saved state, Command(resume=)
finishes it.
"""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    topic: str
    draft: str
    verdict: str


def write(state: State) -> dict:
    return {"draft": f"a post about {state['topic']}"}


def review(state: State) -> dict:
    verdict = interrupt({"draft": state["draft"], "ask": "publish?"})
    return {"verdict": verdict}


builder = StateGraph(State)
builder.add_node("write", write)
builder.add_node("review", review)
builder.add_edge(START, "write")
builder.add_edge("write", "review")
builder.add_edge("review", END)

with SqliteSaver.from_conn_string(":memory:") as checkpointer:
    graph = builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": "post-1"}}
    result = graph.invoke({"topic": "otters", "draft": "", "verdict": ""}, config)
    print(sorted(result))
    print([i.value for i in result["__interrupt__"]])
    state = graph.get_state(config)
    print(state.next, state.values["draft"])
    print([(t.name, [i.value["ask"] for i in t.interrupts]) for t in state.tasks])
    print(graph.invoke(Command(resume="ship it"), config))
    state = graph.get_state(config)
    print(state.next, state.metadata["step"], state.metadata["source"])
