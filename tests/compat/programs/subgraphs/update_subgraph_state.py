"""Update a paused subgraph's state through the config from get_state(subgraphs=True)."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    city: str
    forecast: str


def pick_city(state: State) -> dict:
    return {"city": "Lisbon"}


def forecast(state: State) -> dict:
    return {"forecast": f"sunny in {state['city']}"}


child = StateGraph(State)
child.add_node("pick_city", pick_city)
child.add_node("forecast", forecast)
child.add_edge(START, "pick_city")
child.add_edge("pick_city", "forecast")
weather = child.compile(interrupt_before=["forecast"])

parent = StateGraph(State)
parent.add_node("weather", weather)
parent.add_edge(START, "weather")
graph = parent.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "w"}}
print(graph.invoke({"city": "", "forecast": ""}, config))
snapshot = graph.get_state(config, subgraphs=True)
sub = snapshot.tasks[0].state
print("paused in child", sub.values, sub.next)

graph.update_state(sub.config, {"city": "Porto"})
sub = graph.get_state(config, subgraphs=True).tasks[0].state
print("edited child", sub.values, sub.next)
print(graph.invoke(None, config))
