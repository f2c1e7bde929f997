"""SqliteSaver(":memory:"): a subgraph interrupts; get_state(subgraphs=True) shows its own state."""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class Inner(TypedDict):
    question: str
    answer: str


def think(state: Inner) -> dict:
    return {"question": state["question"] + " (thought about)"}


def ask(state: Inner) -> dict:
    return {"answer": interrupt(state["question"])}


inner = StateGraph(Inner)
inner.add_node("think", think)
inner.add_node("ask", ask)
inner.add_edge(START, "think")
inner.add_edge("think", "ask")


class Outer(TypedDict):
    question: str
    answer: str


outer = StateGraph(Outer)
outer.add_node("expert", inner.compile())
outer.add_node("wrap", lambda s: {"answer": s["answer"].upper()})
outer.add_edge(START, "expert")
outer.add_edge("expert", "wrap")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = outer.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "sub"}}
    result = graph.invoke({"question": "why", "answer": ""}, config)
    print([i.value for i in result["__interrupt__"]])
    state = graph.get_state(config, subgraphs=True)
    print(state.next, state.values)
    task = state.tasks[0]
    print(task.name, task.state.next, task.state.values)
    print(task.state.config["configurable"]["checkpoint_ns"].split(":")[0])
    plain = graph.get_state(config)
    print(
        type(plain.tasks[0].state).__name__,
        plain.tasks[0].state["configurable"]["checkpoint_ns"].split(":")[0],
    )
    print(graph.invoke(Command(resume="because"), config))
    print(graph.get_state(config, subgraphs=True).tasks)
