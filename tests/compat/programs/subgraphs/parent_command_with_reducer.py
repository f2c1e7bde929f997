"""A subgraph node navigates to a sibling in the parent with Command.PARENT, updating a reducer key."""

import operator
from typing import Annotated, Literal

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command
from typing_extensions import TypedDict


class State(TypedDict):
    log: Annotated[list[str], operator.add]
    hops: int


def agent_step(state: State) -> Command:
    if state["hops"] >= 2:
        return Command(update={"log": ["agent done"]})
    return Command(
        graph=Command.PARENT, goto="helper", update={"log": [f"agent hands off {state['hops']}"]}
    )


agent = StateGraph(State)
agent.add_node("agent_step", agent_step)
agent.add_edge(START, "agent_step")


def helper(state: State) -> Command[Literal["agent"]]:
    return Command(goto="agent", update={"log": ["helper helped"], "hops": state["hops"] + 1})


builder = StateGraph(State)
builder.add_node("agent", agent.compile())
builder.add_node("helper", helper)
builder.add_edge(START, "agent")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "p"}}
print(graph.invoke({"log": [], "hops": 0}, config))
for chunk in graph.stream(
    {"log": [], "hops": 1}, {"configurable": {"thread_id": "q"}}, subgraphs=True
):
    print(chunk[0] and chunk[0][0].split(":")[0], chunk[1])
print([(s.metadata["step"], s.next) for s in graph.get_state_history(config)])
