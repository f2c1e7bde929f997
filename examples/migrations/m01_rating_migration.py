"""The rating extension, version 2: one rating becomes a list of ratings, by a migration."""

import operator
import os
import tempfile
from typing import Annotated, TypedDict

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import StateVersionError
from cairngraph.graph import END, START, StateGraph
from examples.tutorial.joke_graph import build_graph, explain_joke, generate_joke


# Version 1, as the tutorial's rating extension left it: one rating per thread.
class RatedJokeState(TypedDict, total=False):
    topic: str
    joke: str
    explanation: str
    rating: int


def rate_joke(state: RatedJokeState) -> dict[str, int]:
    return {"rating": len(state["joke"]) % 10 + 1}


# Version 2: every run of the thread adds a rating, so the thread keeps them all.
class ReviewedJokeState(TypedDict, total=False):
    topic: str
    joke: str
    explanation: str
    ratings: Annotated[list[int], operator.add]


def rate_again(state: ReviewedJokeState) -> dict[str, list[int]]:
    return {"ratings": [len(state["explanation"]) % 10 + 1]}


def rating_to_ratings(values: dict) -> dict:
    """Version 1 -> 2: the single ``rating`` becomes the first of ``ratings``."""
    if "rating" in values:
        values["ratings"] = [values.pop("rating")]
    return values


def version_1() -> StateGraph:
    graph = build_graph(RatedJokeState)
    graph.add_node("rate_joke", rate_joke)
    graph.add_edge("explain_joke", "rate_joke")
    return graph


def version_2() -> StateGraph:
    graph = StateGraph(ReviewedJokeState, version=2, migrations={1: rating_to_ratings})
    graph.add_sequence([generate_joke, explain_joke, ("rate_joke", rate_again)])
    graph.add_edge(START, "generate_joke")
    graph.add_edge("rate_joke", END)
    return graph


config = {"configurable": {"thread_id": "geese"}}
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "checkpoints.db")
    with SqliteSaver.from_conn_string(path) as checkpoint:  # last week's deploy
        version_1().compile(checkpointer=checkpoint).invoke({"topic": "geese"}, config)

    with SqliteSaver.from_conn_string(path) as checkpoint:  # today's deploy
        workflow = version_2().compile(checkpointer=checkpoint)
        old = workflow.get_state(config)
        print("old thread, read by version 2:", old.values["ratings"])
        print("it was written with version:", old.metadata.get("state_version", 1))
        result = workflow.invoke({"topic": "geese"}, config)  # the thread runs again
        print("after one more run:", result["ratings"])
        latest = workflow.get_state(config).metadata
        print("saved with version:", latest["state_version"], latest["graph_fingerprint"])
        print(
            "versions in history:",
            [s.metadata.get("state_version", 1) for s in workflow.get_state_history(config)],
        )

    with SqliteSaver.from_conn_string(path) as checkpoint:  # a rollback to last week's code
        try:
            version_1().compile(checkpointer=checkpoint).get_state(config)
        except StateVersionError as error:
            print(f"version 1 refuses it: {type(error).__name__}: {error}")
