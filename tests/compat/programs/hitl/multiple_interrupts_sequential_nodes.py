"""Two nodes each interrupt in turn; the thread pauses twice, the ids differ, the answers stay."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    name: str
    age: int
    log: list[str]


def ask_name(state: State) -> dict:
    name = interrupt("name?")
    return {"name": name, "log": state["log"] + [f"name={name}"]}


def ask_age(state: State) -> dict:
    age = interrupt({"question": "age?", "for": state["name"]})
    return {"age": int(age), "log": state["log"] + [f"age={age}"]}


builder = StateGraph(State)
builder.add_node("ask_name", ask_name)
builder.add_node("ask_age", ask_age)
builder.add_edge(START, "ask_name")
builder.add_edge("ask_name", "ask_age")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "form"}}
first = graph.invoke({"name": "", "age": 0, "log": []}, config)
second = graph.invoke(Command(resume="Ada"), config)
print(first["__interrupt__"][0].value, second["__interrupt__"][0].value)
print(first["__interrupt__"][0].id != second["__interrupt__"][0].id)
state = graph.get_state(config)
print(state.next, state.values, [i.value for i in state.interrupts])
print(graph.invoke(Command(resume={state.interrupts[0].id: "36"}), config))
print(graph.get_state(config).next, graph.get_state(config).interrupts)
