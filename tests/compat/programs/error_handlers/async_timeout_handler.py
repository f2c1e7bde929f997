"""Async nodes and handlers: a NodeTimeoutError after timeout= goes to the handler too."""

import asyncio
import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import NodeError, NodeTimeoutError
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    log: Annotated[list[str], operator.add]


async def slow_llm(state: State) -> dict:
    await asyncio.sleep(5)
    return {"log": ["llm answered"]}


async def use_small_model(state: State, error: NodeError) -> dict:
    await asyncio.sleep(0)
    timed_out = isinstance(error.error, NodeTimeoutError)
    return {"log": [f"{error.node} timed out={timed_out} kind={error.error.kind}"]}


def sync_fallback(state: State, error: NodeError) -> dict:
    return {"log": [f"sync handler for {error.node}: {error.error}"]}


async def broken(state: State) -> dict:
    raise ValueError("async node broke")


builder = StateGraph(State)
builder.add_node("slow_llm", slow_llm, timeout=0.05, error_handler=use_small_model)
builder.add_node("broken", broken, error_handler=sync_fallback)
builder.add_edge(START, "slow_llm")
builder.add_edge("slow_llm", "broken")
# The handler is a node: an edge from it continues the run after a recovery.
builder.add_edge("__error_handler__slow_llm", "broken")
graph = builder.compile(checkpointer=InMemorySaver())


async def main() -> None:
    config = {"configurable": {"thread_id": "t"}}
    print(await graph.ainvoke({"log": []}, config))
    async for chunk in graph.astream({"log": []}, {"configurable": {"thread_id": "s"}}):
        print("chunk", chunk)
    history = [s async for s in graph.aget_state_history(config)]
    print([(s.metadata["step"], s.next, [t.name for t in s.tasks]) for s in history])


asyncio.run(main())
