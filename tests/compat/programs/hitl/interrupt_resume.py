"""interrupt() pauses a node; Command(resume=...) continues it with the human's answer."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    draft: str
    feedback: str


def write(state: State) -> dict:
    return {"draft": "Roses are red"}


def ask_human(state: State) -> dict:
    print("ask_human starts")
    feedback = interrupt({"draft": state["draft"], "question": "Any feedback?"})
    print("ask_human resumed with", feedback)
    return {"feedback": feedback}


builder = StateGraph(State)
builder.add_node("write", write)
builder.add_node("ask_human", ask_human)
builder.add_edge(START, "write")
builder.add_edge("write", "ask_human")
builder.add_edge("ask_human", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "1"}}
result = graph.invoke({"draft": "", "feedback": ""}, config)
print(result)
print(result["__interrupt__"])
snapshot = graph.get_state(config)
print("next", snapshot.next)
print("interrupts", snapshot.interrupts)
print("task", snapshot.tasks[0].name, snapshot.tasks[0].interrupts)

print(graph.invoke(Command(resume="make it rhyme"), config))
print("next after", graph.get_state(config).next)
