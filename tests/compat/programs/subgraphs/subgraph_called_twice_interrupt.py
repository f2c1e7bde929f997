"""A node calls one compiled subgraph twice; the second call interrupts. Resume: the first call's
result is recomputed, the second call's answer arrives; namespaces stay apart."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict

calls = []


class Sub(TypedDict):
    word: str


def check(state: Sub) -> dict:
    calls.append(state["word"])
    if state["word"] == "ask":
        return {"word": interrupt("what word?")}
    return {"word": state["word"].upper()}


sub_builder = StateGraph(Sub)
sub_builder.add_node("check", check)
sub_builder.add_edge(START, "check")
sub = sub_builder.compile()


class State(TypedDict):
    words: list[str]


def both(state: State) -> dict:
    return {"words": [sub.invoke({"word": w})["word"] for w in state["words"]]}


builder = StateGraph(State)
builder.add_node("both", both)
builder.add_edge(START, "both")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "twice"}}
paused = graph.invoke({"words": ["hi", "ask"]}, config)
print([i.value for i in paused["__interrupt__"]], calls)
state = graph.get_state(config, subgraphs=True)
print(state.next, [t.name for t in state.tasks])
print(graph.invoke(Command(resume="given"), config), calls)
