"""A pydantic BaseModel state with defaults; nodes see model instances."""

from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel


class State(BaseModel):
    city: str
    temperature: float = 20.0
    advice: str = ""


def check(state: State) -> dict:
    print("node sees", type(state).__name__, state.city, state.temperature)
    return {"temperature": state.temperature + 1.5}


def advise(state: State) -> dict:
    return {"advice": "coat" if state.temperature < 15 else "t-shirt"}


builder = StateGraph(State)
builder.add_node("check", check)
builder.add_node("advise", advise)
builder.add_edge(START, "check")
builder.add_edge("check", "advise")
builder.add_edge("advise", END)
graph = builder.compile()

print(graph.invoke({"city": "Oslo", "temperature": 3}))
print(graph.invoke({"city": "Rome"}))
print(graph.invoke(State(city="Lima", temperature=14)))
