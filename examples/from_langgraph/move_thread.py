"""Move a paused LangGraph thread into cairngraph and finish it there.

The same program runs on both: only the import prefix differs. LangGraph's
SqliteSaver writes the thread (here, in a temporary folder); cairngraph
imports it and resumes it where LangGraph paused.
"""

import importlib
import operator
import sqlite3
import tempfile
from pathlib import Path
from typing import Annotated, TypedDict

from langchain_core.messages import AIMessage, HumanMessage


def build(prefix: str):
    graph = importlib.import_module(f"{prefix}.graph")
    message = importlib.import_module(f"{prefix}.graph.message")
    types = importlib.import_module(f"{prefix}.types")

    State = TypedDict(  # noqa: UP013 - the reducer is this library's own
        "State",
        {
            "messages": Annotated[list, message.add_messages],
            "turns": Annotated[int, operator.add],
            "name": str,
        },
    )

    def greet(state: State) -> dict:
        return {"messages": [AIMessage("Hello! What is your name?", id="ai-1")], "turns": 1}

    def ask(state: State) -> dict:
        name = types.interrupt("name?")
        return {
            "name": name,
            "messages": [AIMessage(f"Nice to meet you, {name}.", id="ai-2")],
            "turns": 1,
        }

    builder = graph.StateGraph(State)
    builder.add_node("greet", greet)
    builder.add_node("ask", ask)
    builder.add_edge(graph.START, "greet")
    builder.add_edge("greet", "ask")
    return builder, types.Command


config = {"configurable": {"thread_id": "chat-1"}}
folder = Path(tempfile.mkdtemp())

# 1. A LangGraph program pauses at its interrupt, saved by LangGraph's SqliteSaver.
from langgraph.checkpoint.sqlite import SqliteSaver as LangGraphSqliteSaver  # noqa: E402

builder, _ = build("langgraph")
with sqlite3.connect(folder / "langgraph.db", check_same_thread=False) as conn:
    paused = builder.compile(checkpointer=LangGraphSqliteSaver(conn))
    paused.invoke({"messages": [HumanMessage("hi", id="h-1")], "turns": 0}, config)

# 2. Import every thread of that database into a cairngraph saver.
from cairngraph.checkpoint.langgraph import import_sqlite  # noqa: E402
from cairngraph.checkpoint.sqlite import SqliteSaver  # noqa: E402

with SqliteSaver.from_conn_string(str(folder / "cairn.db")) as saver:
    report = import_sqlite(folder / "langgraph.db", saver)
    print(
        f"imported {report.threads} thread, {report.checkpoints} checkpoints, "
        f"{report.writes} writes"
    )

    # 3. The same program, prefix changed, continues the thread.
    builder, Command = build("cairngraph")
    graph = builder.compile(checkpointer=saver)
    state = graph.get_state(config)
    print("next:", state.next, "asks:", state.interrupts[0].value)
    print("steps:", [s.metadata["step"] for s in graph.get_state_history(config)])
    result = graph.invoke(Command(resume="Ada"), config)
    for message in result["messages"]:
        print(f"{message.type}: {message.content}")
    print("turns:", result["turns"])
