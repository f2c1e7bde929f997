"""SqliteSaver on a file: interrupt in one `with` block, resume with Command in a second one."""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    amount: int
    decision: str


def approve(state: State) -> dict:
    decision = interrupt({"amount": state["amount"], "question": "approve the transfer?"})
    return {"decision": decision}


def book(state: State) -> dict:
    return {"decision": state["decision"] + " and booked"}


def build():
    builder = StateGraph(State)
    builder.add_node("approve", approve)
    builder.add_node("book", book)
    builder.add_edge(START, "approve")
    builder.add_edge("approve", "book")
    return builder


config = {"configurable": {"thread_id": "transfer-9"}}
with SqliteSaver.from_conn_string("bank.db") as saver:
    graph = build().compile(checkpointer=saver)
    result = graph.invoke({"amount": 250, "decision": ""}, config)
    print(result["__interrupt__"][0].value)

with SqliteSaver.from_conn_string("bank.db") as saver:
    graph = build().compile(checkpointer=saver)
    state = graph.get_state(config)
    print("reopened", state.next, [i.value["amount"] for i in state.interrupts])
    print(graph.invoke(Command(resume="approved"), config))
    print(
        [
            (s.metadata["step"], s.metadata["source"], s.next)
            for s in graph.get_state_history(config)
        ]
    )

with SqliteSaver.from_conn_string("bank.db") as saver:
    print(saver.get_tuple(config).checkpoint["channel_values"])
