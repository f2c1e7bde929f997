"""Handlers on a subgraph node and inside a subgraph, streamed with subgraphs=True."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_stream_writer
from langgraph.errors import NodeError
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def parse(state: State) -> dict:
    raise ValueError("malformed json")


def repair(state: State, error: NodeError) -> dict:
    get_stream_writer()({"repairing": error.node})
    return {"log": [f"repaired after {error.error}"]}


inner = StateGraph(State)
inner.add_node("parse", parse, error_handler=repair)
inner.add_edge(START, "parse")

outer = StateGraph(State)
outer.add_node("tool_call", inner.compile())
outer.add_edge(START, "tool_call")
graph = outer.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "sub-1"}}
for namespace, mode, chunk in graph.stream(
    {"log": []}, config, stream_mode=["updates", "custom"], subgraphs=True
):
    print(len(namespace), [part.split(":")[0] for part in namespace], mode, chunk)
print(graph.get_state(config).values)

failing = StateGraph(State)
failing.add_node("parse", parse)
failing.add_edge(START, "parse")


def whole_tool_failed(state: State, error: NodeError) -> dict:
    return {"log": [f"{error.node} subgraph failed: {error.error!r}"]}


wrapper = StateGraph(State)
wrapper.add_node("tool_call", failing.compile(), error_handler=whole_tool_failed)
wrapper.add_edge(START, "tool_call")
app = wrapper.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "sub-2"}}
print(app.invoke({"log": []}, config))
for state in app.get_state_history(config):
    print(state.metadata["step"], state.next, [(t.name, t.error) for t in state.tasks])
