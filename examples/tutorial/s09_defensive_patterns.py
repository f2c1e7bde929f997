"""Defensive patterns: encrypted checkpoints, and references instead of large blobs."""

import base64
import hashlib
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import TypedDict

from cairngraph.checkpoint.serde import EncryptedSerializer
from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import START, StateGraph
from examples.tutorial.joke_graph import build_graph

folder = Path(tempfile.mkdtemp())

# 1. Sensitive data: encrypt checkpoint payloads (AES-256-GCM, key from the environment).
os.environ["CAIRNGRAPH_ENCRYPTION_KEY"] = "2026-11:" + base64.b64encode(os.urandom(32)).decode()
saver = SqliteSaver(folder / "sealed.db", serde=EncryptedSerializer.from_env())
workflow = build_graph().compile(checkpointer=saver)
config = {"configurable": {"thread_id": "secret"}}
workflow.invoke({"topic": "my bank password"}, config)
database = sqlite3.connect(folder / "sealed.db")
rows = database.execute(
    "SELECT body FROM cairn_checkpoints UNION ALL SELECT body FROM cairn_writes"
)
raw = b"".join(body for (body,) in rows)
print("plaintext on disk:", b"bank password" in raw)
print("read back with the key:", workflow.get_state(config).values["topic"])


# 2. Large state objects: store a reference (a content hash), keep the bytes elsewhere.
class DocState(TypedDict, total=False):
    document_ref: str
    summary: str


store = folder / "documents"
store.mkdir()


def put_document(data: bytes) -> str:
    ref = hashlib.sha256(data).hexdigest()
    (store / ref).write_bytes(data)
    return ref


def summarize(state: DocState) -> dict[str, str]:
    text = (store / state["document_ref"]).read_bytes()
    return {"summary": f"{len(text)} bytes, starts with {text[:5].decode()!r}"}


graph = StateGraph(DocState)
graph.add_node("summarize", summarize)
graph.add_edge(START, "summarize")
docs = graph.compile(checkpointer=SqliteSaver(folder / "docs.db"))
result = docs.invoke(
    {"document_ref": put_document(b"Hello " * 100_000)}, {"configurable": {"thread_id": "doc"}}
)
print("summary:", result["summary"])
print("checkpoint file stays small:", os.path.getsize(folder / "docs.db") < 100_000)
