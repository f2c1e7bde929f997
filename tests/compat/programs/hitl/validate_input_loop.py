"""Ask again until the answer is valid: interrupt inside a while loop."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    age: int


def get_age(state: State) -> dict:
    prompt = "How old are you?"
    while True:
        answer = interrupt(prompt)
        if isinstance(answer, int) and answer > 0:
            return {"age": answer}
        prompt = f"{answer!r} is not a valid age. How old are you?"


builder = StateGraph(State)
builder.add_node("get_age", get_age)
builder.add_edge(START, "get_age")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "age"}}
result = graph.invoke({"age": 0}, config)
print(result["__interrupt__"][0].value)
for answer in ("ten", -4, 10):
    result = graph.invoke(Command(resume=answer), config)
    print(result.get("__interrupt__", [None])[0] and result["__interrupt__"][0].value, result)
