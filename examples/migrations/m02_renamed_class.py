"""A stored class renamed between releases: the old name loads as the new class."""

import os
import tempfile
from dataclasses import dataclass
from typing import TypedDict

from cairngraph.checkpoint import serde
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import END, START, StateGraph


@dataclass
class Review:  # last release's name
    score: int


class OldState(TypedDict, total=False):
    joke: str
    review: Review


@dataclass
class Rating:  # this release's name; it also gained a field, with a default
    score: int
    scale: int = 10


class State(TypedDict, total=False):
    joke: str
    review: Rating


def graph_of(schema: type, review: type) -> StateGraph:
    graph = StateGraph(schema)
    graph.add_node("rate", lambda state: {"review": review(score=len(state["joke"]) % 10 + 1)})
    graph.add_edge(START, "rate")
    graph.add_edge("rate", END)
    return graph


config = {"configurable": {"thread_id": "owls"}}
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "checkpoints.db")
    with SqliteSaver.from_conn_string(path) as checkpoint:
        graph_of(OldState, Review).compile(checkpointer=checkpoint).invoke(
            {"joke": "Owls give a hoot."}, config
        )

    # Values stored under the old name load as Rating; new ones are saved as Rating.
    serde.register(Rating, aliases=[f"{__name__}.Review"])
    with SqliteSaver.from_conn_string(path) as checkpoint:
        workflow = graph_of(State, Rating).compile(checkpointer=checkpoint)
        print("old thread:", workflow.get_state(config).values["review"])
        workflow.invoke({"joke": "Owls are wise guys."}, config)
        print("after a run:", workflow.get_state(config).values["review"])
