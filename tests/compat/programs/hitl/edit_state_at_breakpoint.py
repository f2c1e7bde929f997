"""Edit the state at a breakpoint with update_state, then continue."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    query: str
    sql: str
    rows: int


def plan(state: State) -> dict:
    return {"sql": f"SELECT * FROM {state['query']}"}


def execute(state: State) -> dict:
    print("executing", state["sql"])
    return {"rows": len(state["sql"])}


builder = StateGraph(State)
builder.add_node("plan", plan)
builder.add_node("execute", execute)
builder.add_edge(START, "plan")
builder.add_edge("plan", "execute")
builder.add_edge("execute", END)
graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["execute"])

config = {"configurable": {"thread_id": "sql"}}
graph.invoke({"query": "users", "sql": "", "rows": 0}, config)
snapshot = graph.get_state(config)
print("proposed", snapshot.values["sql"], snapshot.next)

graph.update_state(config, {"sql": "SELECT id FROM users LIMIT 5"})
snapshot = graph.get_state(config)
print("edited", snapshot.values["sql"], snapshot.next, snapshot.metadata["source"])
print(graph.invoke(None, config))
for s in graph.get_state_history(config):
    print(s.metadata["step"], s.metadata["source"], s.next)
