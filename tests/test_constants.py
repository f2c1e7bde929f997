"""The trigger channel names: written by ``branch_channel``, read back by ``branch_targets``."""

from __future__ import annotations

from cairngraph.constants import BRANCH_PREFIX, branch_channel, branch_targets


def test_branch_targets_reads_back_what_branch_channel_writes() -> None:
    channels = [branch_channel("b"), "__start__", "topic", branch_channel("a:x"), "join:a+b:c"]
    assert branch_targets(channels) == ["b", "a:x"]
    assert all(branch_channel(node).startswith(BRANCH_PREFIX) for node in ("b", "a:x"))
