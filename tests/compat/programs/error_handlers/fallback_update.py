"""add_node(error_handler=): the handler's update replaces the failed node's; what is saved."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import NodeError
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    question: str
    answer: str
    log: Annotated[list[str], operator.add]


def retrieve(state: State) -> dict:
    return {"log": [f"retrieved docs for {state['question']}"]}


def call_model(state: State) -> dict:
    raise ConnectionError("model endpoint unreachable")


def canned_answer(state: State, error: NodeError) -> dict:
    print("handler sees", sorted(state), repr(error))
    return {"answer": "Sorry, try again later.", "log": [f"{error.node} failed"]}


def format_answer(state: State) -> dict:
    return {"log": ["formatted"]}


builder = StateGraph(State)
builder.add_node("retrieve", retrieve)
builder.add_node("call_model", call_model, error_handler=canned_answer)
builder.add_node("format_answer", format_answer)
builder.add_edge(START, "retrieve")
builder.add_edge("retrieve", "call_model")
builder.add_edge("call_model", "format_answer")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "qa-1"}}
print(graph.invoke({"question": "What is LangGraph?"}, config))

snapshot = graph.get_state(config)
print("next", snapshot.next, "tasks", snapshot.tasks, "step", snapshot.metadata["step"])
for state in graph.get_state_history(config):
    print(
        state.metadata["step"],
        state.metadata["source"],
        state.next,
        [(t.name, t.error, t.result) for t in state.tasks],
    )

failed_step = list(graph.get_state_history(config))[1]
saved = graph.checkpointer.get_tuple(failed_step.config).pending_writes
failed_id = failed_step.tasks[0].id
print("failed task writes", [c for t, c, _ in saved if t == failed_id])
print("source node", [v for t, c, v in saved if c == "__error_source_node__"])
print("handler writes", sorted((c, v) for t, c, v in saved if t != failed_id))

for chunk in graph.stream({"question": "Again?"}, {"configurable": {"thread_id": "qa-2"}}):
    print("update", chunk)
