"""Time travel: pick a past checkpoint, update_state there (a fork), resume the fork; the old branch stays."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    topic: str
    joke: str
    trail: Annotated[list[str], operator.add]


def pick_topic(state: State) -> dict:
    return {"topic": state["topic"] or "cats", "trail": ["pick"]}


def write_joke(state: State) -> dict:
    return {"joke": f"a joke about {state['topic']}", "trail": ["write"]}


builder = StateGraph(State)
builder.add_node("pick_topic", pick_topic)
builder.add_node("write_joke", write_joke)
builder.add_edge(START, "pick_topic")
builder.add_edge("pick_topic", "write_joke")
builder.add_edge("write_joke", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "tt"}}
print(graph.invoke({"topic": "", "joke": "", "trail": []}, config))
history = list(graph.get_state_history(config))
before_joke = next(s for s in history if s.next == ("write_joke",))
print(before_joke.values, before_joke.metadata["step"])

forked = graph.update_state(before_joke.config, {"topic": "dogs", "trail": ["edited"]})
fork_state = graph.get_state(forked)
print(
    fork_state.values,
    fork_state.next,
    fork_state.metadata["source"],
    fork_state.parent_config["configurable"]["checkpoint_id"]
    == before_joke.config["configurable"]["checkpoint_id"],
)
print(graph.invoke(None, forked))

history = list(graph.get_state_history(config))
print([(s.metadata["step"], s.metadata["source"], s.next, s.values.get("joke")) for s in history])
print(graph.get_state(config).values["joke"])
old_final = graph.get_state(history[-1].config)
print(old_final.values)
