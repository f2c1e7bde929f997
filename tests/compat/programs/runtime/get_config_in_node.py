"""langgraph.config.get_config() and a node's config parameter see the run's config."""

from typing import TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_config
from langgraph.graph import START, StateGraph


class State(TypedDict):
    seen: list[str]


def with_param(state: State, config: RunnableConfig) -> dict:
    configurable = config["configurable"]
    return {"seen": [*state["seen"], f"param thread={configurable['thread_id']}"]}


def with_helper(state: State) -> dict:
    config = get_config()
    tag = config["configurable"].get("tag", "none")
    return {"seen": [*state["seen"], f"helper tag={tag}", f"limit={config.get('recursion_limit')}"]}


builder = StateGraph(State)
builder.add_node("with_param", with_param)
builder.add_node("with_helper", with_helper)
builder.add_edge(START, "with_param")
builder.add_edge("with_param", "with_helper")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "cfg", "tag": "blue"}, "recursion_limit": 9}
print(graph.invoke({"seen": []}, config))
print(graph.invoke({"seen": []}, {"configurable": {"thread_id": "cfg2"}}))
