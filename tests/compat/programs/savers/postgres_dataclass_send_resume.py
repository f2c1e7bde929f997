"""PostgresSaver: a dataclass state fanned out with Send; the run stops at a breakpoint and a
second saver finishes it.
"""

import operator
import os
from dataclasses import dataclass, field
from typing import Annotated

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Send

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass
class Batch:
    urls: list[str] = field(default_factory=list)
    pages: Annotated[list[str], operator.add] = field(default_factory=list)
    report: str = ""


def fan_out(state: Batch) -> list[Send]:
    return [Send("fetch", {"url": url}) for url in state.urls]


def build():
    builder = StateGraph(Batch)
    builder.add_node("fetch", lambda job: {"pages": [f"<{job['url']}>"]})
    builder.add_node("report", lambda s: {"report": f"{len(s.pages)} pages"})
    builder.add_conditional_edges(START, fan_out, ["fetch"])
    builder.add_edge("fetch", "report")
    return builder


config = {"configurable": {"thread_id": "crawl"}}
with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = build().compile(checkpointer=saver, interrupt_before=["report"])
    result = graph.invoke(Batch(urls=["a.org", "b.org", "c.org"]), config)
    print(sorted(result["pages"]), repr(result["report"]))

with PostgresSaver.from_conn_string(DB_URI) as saver:
    graph = build().compile(checkpointer=saver, interrupt_before=["report"])
    state = graph.get_state(config)
    print(state.next, sorted(state.values["pages"]))
    print(graph.invoke(None, config)["report"])
    print([(s.metadata["step"], sorted(s.next)) for s in graph.get_state_history(config)])
