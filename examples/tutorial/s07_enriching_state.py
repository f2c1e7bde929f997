"""Enriching state with a field added later: old threads load and run."""

from typing import TypedDict

from cairngraph.checkpoint.memory import InMemorySaver
from examples.tutorial.joke_graph import JokeState, build_graph

checkpoint = InMemorySaver()
config = {"configurable": {"thread_id": "old"}}
build_graph(JokeState).compile(checkpointer=checkpoint).invoke({"topic": "geese"}, config)


class RatedJokeState(TypedDict, total=False):
    topic: str
    joke: str
    explanation: str
    rating: int  # added later


def rate_joke(state: RatedJokeState) -> dict[str, int]:
    return {"rating": state.get("rating", 0) + len(state["joke"]) % 10 + 1}


graph = build_graph(RatedJokeState)
graph.add_node("rate_joke", rate_joke)
graph.add_edge("explain_joke", "rate_joke")
workflow = graph.compile(checkpointer=checkpoint)

old = workflow.get_state(config)
print("old thread loads; has rating:", "rating" in old.values)
print("continues into the new node:", workflow.invoke(None, config)["rating"])
print(
    "new threads use it from the start:",
    workflow.invoke({"topic": "swans"}, {"configurable": {"thread_id": "new"}})["rating"],
)
