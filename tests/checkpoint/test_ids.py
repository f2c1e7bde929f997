"""Checkpoint ids: time-ordered, and children of one parent made in two processes differ."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from cairngraph.checkpoint._ids import new_checkpoint_id

ROOT = Path(__file__).resolve().parents[2]
# A parent id from another clock, ahead of this one and of any id a test imports.
AHEAD = "f0000000-0000-6000-8000-000000000000"


def _child_in_a_new_process(parent: str) -> str:
    code = (
        "from cairngraph.checkpoint._ids import new_checkpoint_id; "
        f"print(new_checkpoint_id(after={parent!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_ids_grow_and_children_sort_after_their_parent() -> None:
    first, second = new_checkpoint_id(), new_checkpoint_id()
    assert first < second
    child = new_checkpoint_id(after=AHEAD)
    assert child > AHEAD and new_checkpoint_id() > child


def test_children_of_one_parent_in_two_processes_differ_and_keep_time_order() -> None:
    # Each process steps past the parent on its own; a fork made by another process
    # must not take the id of a child this one saved (a checkpoint would be replaced),
    # and the later child must sort later ("latest" is the max id).
    here = new_checkpoint_id(after=AHEAD)
    time.sleep(0.01)
    children = [_child_in_a_new_process(AHEAD) for _ in range(3)]
    assert len(set(children)) == 3 and all(child > AHEAD for child in children)
    assert here < children[0] < children[1] < children[2]
