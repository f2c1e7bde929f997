"""A step cut short by version 1 (one task finished, one waiting), resumed by version 2."""

import operator
import os
import tempfile
from typing import Annotated, TypedDict

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Command, interrupt


class TicketV1(TypedDict, total=False):
    customer: str
    tag: str
    reply: str


class TicketV2(TypedDict, total=False):
    customer_name: str
    tags: Annotated[list[str], operator.add]
    reply: str


def tag_v1(state: TicketV1) -> dict[str, str]:
    print("  version 1 tags", state["customer"])
    return {"tag": "billing"}


def tag_v2(state: TicketV2) -> dict[str, list[str]]:
    print("  version 2 tags", state["customer_name"])
    return {"tags": ["billing", "vip"]}


def answer(state: dict) -> dict[str, str]:
    team = interrupt("Which team?")
    approved = interrupt(f"Send it to {team}?")
    return {"reply": f"{team} ({approved})"}


def to_v2(values: dict) -> dict:
    """Version 1 -> 2: ``customer`` is renamed, the single ``tag`` becomes ``tags``."""
    if "customer" in values:
        values["customer_name"] = values.pop("customer")
    if "tag" in values:
        values["tags"] = [values.pop("tag")]
    return values


def graph_of(schema: type, tag: object, **versioning: object) -> StateGraph:
    graph = StateGraph(schema, **versioning)
    graph.add_node("tag", tag)
    graph.add_node("answer", answer)
    graph.add_edge(START, "tag")  # tag and answer run in one step
    graph.add_edge(START, "answer")
    graph.add_edge(["tag", "answer"], END)
    return graph


config = {"configurable": {"thread_id": "ticket-7"}}
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "checkpoints.db")
    with SqliteSaver.from_conn_string(path) as checkpoint:  # last week's deploy
        print("version 1:")
        workflow = graph_of(TicketV1, tag_v1).compile(checkpointer=checkpoint)
        workflow.invoke({"customer": "Ada"}, config)
        waiting = workflow.invoke(Command(resume="billing team"), config)["__interrupt__"]
        print("  waits on:", waiting[0].value)

    with SqliteSaver.from_conn_string(path) as checkpoint:  # today's deploy
        print("version 2:")
        workflow = graph_of(TicketV2, tag_v2, version=2, migrations={1: to_v2})
        workflow = workflow.compile(checkpointer=checkpoint)
        state = workflow.get_state(config)
        print("  values:", state.values, "next:", sorted(state.next))
        print("  same interrupt id:", state.interrupts[0].id == waiting[0].id)
        result = workflow.invoke(Command(resume={waiting[0].id: "yes"}), config)
        print("  result:", result)
        metadata = workflow.get_state(config).metadata
        print("  metadata:", {key: metadata[key] for key in ("migrated_from", "migration_reran")})
