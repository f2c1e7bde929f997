"""Big values by reference: a document in the state lives in a blob directory, not the database.

Values whose stored body is larger than blob_threshold (64 KiB by default) go to
the blob store; the database row keeps a 33-byte reference. The same content is
one object whatever the number of threads; pruning frees the objects of what it
removes.
"""

import tempfile
from pathlib import Path
from typing import TypedDict

from cairngraph.checkpoint.blobs import DirectoryBlobStore
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import END, START, StateGraph


class Report(TypedDict):
    document: str
    revisions: int


def revise(state: Report) -> dict[str, object]:
    revision = state["revisions"] + 1
    return {
        "document": state["document"] + f"\nRevision {revision}. " + "x" * 50_000,
        "revisions": revision,
    }


graph = StateGraph(Report)
graph.add_node("revise", revise)
graph.add_edge(START, "revise")
graph.add_edge("revise", END)

folder = Path(tempfile.mkdtemp())
blobs = DirectoryBlobStore(folder / "blobs")


def stored() -> str:
    objects = list(blobs.list())
    size = sum(info.size for info in objects)
    return f"{len(objects)} objects, {size // 1024} KiB in the blob store"


with SqliteSaver.from_conn_string(str(folder / "reports.db"), blobs=blobs) as saver:
    app = graph.compile(checkpointer=saver)
    draft = {"document": "Quarterly report." + "y" * 100_000, "revisions": 0}
    for thread in ("alice", "bob"):
        config = {"configurable": {"thread_id": thread}}
        app.invoke(draft, config)  # the same draft in both threads: stored once
        app.invoke({"revisions": 1}, config)  # a second run revises the document again
    print("after 2 threads x 2 runs:", stored())

    state = app.get_state({"configurable": {"thread_id": "alice"}})
    print(
        "alice has",
        state.values["revisions"],
        "revisions,",
        len(state.values["document"]),
        "characters",
    )
    (rows,) = saver.conn.execute("SELECT sum(length(body)) FROM cairn_values").fetchone()
    print("value bodies in the database:", rows, "bytes")

    saver.prune(["alice", "bob"])  # keep the latest checkpoint of each
    print("after prune:", stored())
    saver.delete_thread("alice")
    saver.delete_thread("bob")
    print("after deleting both:", stored())
    print("verify:", saver.verify().ok)
