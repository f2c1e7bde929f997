"""The error of a guarded channel that received several writes in one step."""

from __future__ import annotations

from cairngraph.errors import InvalidUpdateError

__all__ = ["guard_error"]


def guard_error(kind: str, key: str, count: int) -> InvalidUpdateError:
    return InvalidUpdateError(
        f"state key {key!r} ({kind}(guard=True)) received {count} values in one step, and it "
        f"holds one. Declare it {kind}(..., guard=False) to keep the last of them, or write it "
        "from one node only."
    )
