"""Prune a thread to its latest checkpoint, after copying it aside; the space comes back.

The file is made with auto_vacuum=INCREMENTAL, so freed pages go back to the
file system (page_count falls), not only to SQLite's free list.
"""

import operator
import os
import tempfile
from typing import Annotated, TypedDict

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import END, START, StateGraph


class Chat(TypedDict, total=False):
    messages: Annotated[list[str], operator.add]


def reply(state: Chat) -> dict[str, list[str]]:
    return {"messages": [f"reply {len(state['messages'])}: " + "words " * 200]}


graph = StateGraph(Chat)
graph.add_node("reply", reply)
graph.add_edge(START, "reply")
graph.add_edge("reply", END)

folder = tempfile.mkdtemp()
path = os.path.join(folder, "chat.db")
with SqliteSaver.from_conn_string(path) as saver:
    app = graph.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "chat"}}
    for turn in range(30):
        app.invoke({"messages": [f"question {turn}"]}, config)
    before = app.get_state(config).values
    print("checkpoints:", len(list(saver.list(config))))

    saver.copy_thread("chat", "chat-archive")
    (pages,) = saver.conn.execute("PRAGMA page_count").fetchone()
    saver.prune(["chat"])  # keep_latest: the newest checkpoint of each namespace

    print("checkpoints after prune:", len(list(saver.list(config))))
    print("same state:", app.get_state(config).values == before)
    archive = {"configurable": {"thread_id": "chat-archive"}}
    print("archive keeps its history:", len(list(saver.list(archive))))
    print("verify ok:", saver.verify().ok)

    saver.delete_thread("chat-archive")  # its values, shared with nothing now, go too
    (now,) = saver.conn.execute("PRAGMA page_count").fetchone()
    print(f"database pages: {pages} -> {now}, freed pages kept: ", end="")
    print(saver.conn.execute("PRAGMA freelist_count").fetchone()[0])

    app.invoke({"messages": ["one more"]}, config)  # the run goes on from the kept checkpoint
    print("messages:", len(app.get_state(config).values["messages"]))
