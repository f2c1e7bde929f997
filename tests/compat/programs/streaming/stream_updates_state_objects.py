"""What stream_mode="updates" shows for nodes returning state objects, {} and Commands."""

from dataclasses import dataclass

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command
from pydantic import BaseModel


class Profile(BaseModel):
    name: str = ""
    visits: int = 0
    note: str = ""


@dataclass
class Cart:
    items: int = 0
    total: float = 0.0


def greet(state: Profile) -> Profile:
    return Profile(name=state.name.title(), visits=state.visits + 1)


def check(state: Profile) -> dict:
    return {}


def route(state: Profile) -> Command:
    return Command(goto="finish")


def finish(state: Profile) -> Command:
    return Command(update={"note": f"seen {state.visits} times"}, goto=END)


builder = StateGraph(Profile)
builder.add_node("greet", greet)
builder.add_node("check", check)
builder.add_node("route", route)
builder.add_node("finish", finish)
builder.add_edge(START, "greet")
builder.add_edge("greet", "check")
builder.add_edge("check", "route")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "profile"}}
for chunk in graph.stream({"name": "ada"}, config, stream_mode="updates"):
    print(chunk)
for mode, chunk in graph.stream({"name": "bob"}, config, stream_mode=["updates", "values"]):
    print(mode, chunk)


def add_item(state: Cart) -> Cart:
    return Cart(items=state.items + 1, total=state.total + 2.5)


def nothing(state: Cart) -> None:
    return None


cart_builder = StateGraph(Cart)
cart_builder.add_node("add_item", add_item)
cart_builder.add_node("nothing", nothing)
cart_builder.add_edge(START, "add_item")
cart_builder.add_edge("add_item", "nothing")
cart = cart_builder.compile()
for chunk in cart.stream(Cart(), stream_mode="updates"):
    print(chunk)
print(cart.invoke(Cart(items=2)))
