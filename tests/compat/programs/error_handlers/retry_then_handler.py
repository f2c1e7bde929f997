"""The handler runs only once the node's RetryPolicy gives up; interrupts never reach it."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import NodeError
from langgraph.graph import START, StateGraph
from langgraph.types import Command, RetryPolicy, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    log: Annotated[list[str], operator.add]


attempts = []


def flaky_fetch(state: State) -> dict:
    attempts.append(len(attempts) + 1)
    raise ConnectionError(f"attempt {len(attempts)} failed")


def give_up(state: State, error: NodeError) -> dict:
    return {"log": [f"gave up after {len(attempts)} attempts: {error.error}"]}


builder = StateGraph(State)
builder.add_node(
    "fetch",
    flaky_fetch,
    retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.001, jitter=False),
    error_handler=give_up,
)
builder.add_edge(START, "fetch")
print(builder.compile().invoke({"log": []}))
print("attempts", attempts)


def approve(state: State) -> dict:
    answer = interrupt("approve the refund?")
    return {"log": [f"answer: {answer}"]}


def never_called(state: State) -> dict:
    print("the handler must not see an interrupt")
    return {"log": ["handled"]}


hitl = StateGraph(State)
hitl.add_node("approve", approve, error_handler=never_called)
hitl.add_edge(START, "approve")
graph = hitl.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "refund-1"}}
paused = graph.invoke({"log": []}, config)
print("paused on", [i.value for i in paused["__interrupt__"]])
print("next", graph.get_state(config).next)
print(graph.invoke(Command(resume="yes"), config))
