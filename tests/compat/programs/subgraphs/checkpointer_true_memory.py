"""A subgraph compiled with checkpointer=True keeps its own memory across parent calls."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class AgentState(TypedDict):
    remembered: Annotated[list[str], operator.add]
    said: str


class ParentState(TypedDict):
    said: str


def remember(state: AgentState) -> dict:
    return {"remembered": [state["said"]]}


agent = StateGraph(AgentState)
agent.add_node("remember", remember)
agent.add_edge(START, "remember")
agent_graph = agent.compile(checkpointer=True)


def call_agent(state: ParentState) -> dict:
    result = agent_graph.invoke({"said": state["said"]})
    return {"said": " | ".join(result["remembered"])}


parent = StateGraph(ParentState)
parent.add_node("call_agent", call_agent)
parent.add_edge(START, "call_agent")
graph = parent.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "mem"}}
for word in ("apple", "pear", "plum"):
    print(graph.invoke({"said": word}, config))
