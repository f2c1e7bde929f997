"""prune and sweep on real SQLite stores filled by real graphs."""

from __future__ import annotations

import time

from cairngraph.cli._open import load_graph, open_saver
from tests.cli.helpers import JOKES, as_json, invoke


def _checkpoints(store: str, thread: str) -> int:
    return len(as_json(invoke("--db", store, "history", thread, "--json"))["checkpoints"])


def test_prune_keeps_the_latest_checkpoint_and_the_thread_resumes(store: str) -> None:
    assert _checkpoints(store, "t1") == 4
    declined = invoke("--db", store, "prune", "t1", input="n\n")
    assert declined.exit_code == 1 and _checkpoints(store, "t1") == 4
    done = as_json(invoke("--db", store, "prune", "t1", "--yes", "--json"))
    assert done == {"threads": [{"thread_id": "t1", "before": 4, "after": 1}]}
    assert invoke("--db", store, "verify").exit_code == 0
    with open_saver(store, read_only=False) as saver:
        graph = load_graph(JOKES, saver)
        state = graph.get_state({"configurable": {"thread_id": "t1"}})
    assert state.values["explanation"] and state.next == ()
    missing = invoke("--db", store, "prune", "nobody", "--yes")
    assert missing.exit_code == 1 and "no such thread: nobody" in missing.stderr


def test_prune_delete_and_sweep_keep_last(store: str) -> None:
    assert as_json(invoke("--db", store, "prune", "t1", "--delete", "-y", "--json")) == {
        "threads": [{"thread_id": "t1", "before": 4, "after": 0}]
    }
    before = _checkpoints(store, "t2")
    report = as_json(invoke("--db", store, "sweep", "--keep-last", "2", "--yes", "--json"))
    assert report["threads_deleted"] == 0 and report["busy"] == []
    assert report["checkpoints_deleted"] >= before - 2
    assert _checkpoints(store, "t2") == 2
    assert invoke("--db", store, "verify").exit_code == 0


def test_sweep_refuses_bad_rules_in_one_line(store: str) -> None:
    bad = invoke("--db", store, "sweep", "--ttl", "soon", "--yes")
    assert bad.exit_code == 2 and "is not a duration" in bad.stderr
    empty = invoke("--db", store, "sweep", "--yes")
    assert empty.exit_code == 2 and "no rule" in empty.stderr
    time.sleep(0.2)  # every thread's newest checkpoint is now older than the TTL
    gone = as_json(invoke("--db", store, "sweep", "--ttl", "0.1s", "--yes", "--json"))
    assert gone["threads_deleted"] == 4  # t1, t2, r1, n1
    assert as_json(invoke("--db", store, "threads", "--json"))["threads"] == []
