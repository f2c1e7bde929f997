"""Switching the storage backend: SQLite (a file) and PostgreSQL (a server)."""

import os
import tempfile
import uuid

from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.sqlite import SqliteSaver
from examples.tutorial.joke_graph import build_graph

graph = build_graph()
config = {"configurable": {"thread_id": "1"}}

with tempfile.TemporaryDirectory() as folder:
    os.chdir(folder)
    checkpoint = SqliteSaver("checkpoints.db")  # as the tutorial writes it
    workflow = graph.compile(checkpointer=checkpoint)
    workflow.invoke({"topic": "owls"}, config)
    checkpoint.close()

    reopened = graph.compile(checkpointer=SqliteSaver("checkpoints.db"))  # e.g. after a restart
    print("SQLite, after reopening:", reopened.get_state(config).values["joke"])
    print("SQLite checkpoints:", len(list(reopened.get_state_history(config))))
    os.chdir("/")

url = os.environ.get("CAIRNGRAPH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
with PostgresSaver.from_conn_string(url) as checkpoint:
    checkpoint.setup()  # creates or upgrades cairngraph's tables; safe to call every time
    workflow = graph.compile(checkpointer=checkpoint)
    thread = {"configurable": {"thread_id": f"tutorial-{uuid.uuid4()}"}}
    workflow.invoke({"topic": "owls"}, thread)
    print("PostgreSQL:", workflow.get_state(thread).values["joke"])
    print("PostgreSQL checkpoints:", len(list(workflow.get_state_history(thread))))
    checkpoint.delete_thread(thread["configurable"]["thread_id"])
