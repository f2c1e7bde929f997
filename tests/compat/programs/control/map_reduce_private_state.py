"""Map-reduce: Send gives each worker a private state; the reduce step picks the best result."""

import operator
from typing import Annotated

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send
from typing_extensions import TypedDict


class Overall(TypedDict):
    topic: str
    subjects: list[str]
    drafts: Annotated[list[dict], operator.add]
    best: str


class Job(TypedDict):
    subject: str
    attempt: int


def make_subjects(state: Overall) -> dict:
    return {"subjects": [f"{state['topic']}-{word}" for word in ("cat", "owl", "eel", "ox")]}


def fan_out(state: Overall) -> list[Send]:
    return [Send("draft", {"subject": s, "attempt": i}) for i, s in enumerate(state["subjects"])]


def draft(job: Job) -> dict:
    return {
        "drafts": [
            {"subject": job["subject"], "score": (len(job["subject"]) * 7 + job["attempt"]) % 5}
        ]
    }


def pick(state: Overall) -> dict:
    best = max(state["drafts"], key=lambda d: (d["score"], d["subject"]))
    return {"best": best["subject"]}


builder = StateGraph(Overall)
builder.add_node("make_subjects", make_subjects)
builder.add_node("draft", draft)
builder.add_node("pick", pick)
builder.add_edge(START, "make_subjects")
builder.add_conditional_edges("make_subjects", fan_out, ["draft"])
builder.add_edge("draft", "pick")
builder.add_edge("pick", END)

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "jokes"}}
    chunks = list(graph.stream({"topic": "zoo", "drafts": []}, config, stream_mode="updates"))
    print(chunks[0], chunks[-1])
    print(sorted(str(chunk) for chunk in chunks[1:-1]))
    print(graph.get_state(config).values["drafts"])
    history = list(graph.get_state_history(config))
    for snapshot in history:
        print(
            snapshot.metadata["step"], snapshot.next, [(t.name, t.path[:2]) for t in snapshot.tasks]
        )
    print(graph.get_state(config).values["best"])
