"""Stored values are checked on read, can be encrypted at rest, and can expire (TTL)."""

import os
import sqlite3
import tempfile
import time
from pathlib import Path

from cairngraph.checkpoint.serde import EncryptedSerializer
from cairngraph.errors import CorruptDataError
from cairngraph.store.sqlite import SqliteStore

folder = Path(tempfile.mkdtemp())

# 1. A changed byte on disk is an error that names the item, never wrong data.
with SqliteStore.from_conn_string(folder / "plain.db") as store:
    store.put(("users", "ann"), "prefs", {"theme": "dark"})
conn = sqlite3.connect(folder / "plain.db")
(body,) = conn.execute("SELECT body FROM cairn_store_items").fetchone()
conn.execute("UPDATE cairn_store_items SET body = ?", (body[:-1] + bytes([body[-1] ^ 1]),))
conn.commit()
conn.close()
with SqliteStore.from_conn_string(folder / "plain.db") as store:
    try:
        store.get(("users", "ann"), "prefs")
    except CorruptDataError as error:
        print("CorruptDataError:", str(error).split(": ")[0])

# 2. Encrypted at rest (AES-256-GCM): the file never holds the text.
serde = EncryptedSerializer(keys={"2026-12": os.urandom(32)})
with SqliteStore.from_conn_string(folder / "secret.db", serde=serde) as store:
    store.put(("vault",), "code", {"text": "the launch code is 1234"})
    print(store.get(("vault",), "code").value)
print("on disk:", b"launch code" in (folder / "secret.db").read_bytes())

# 3. TTLs are in minutes; reads refresh them; an expired item is never returned.
with SqliteStore.from_conn_string(folder / "ttl.db") as store:
    store.put(("sessions",), "s1", {"user": "ann"}, ttl=0.5 / 60)  # half a second
    store.put(("sessions",), "s2", {"user": "bo"})  # no TTL
    time.sleep(0.8)
    print([hit.key for hit in store.search(("sessions",))])
    print("swept:", store.sweep_ttl())
