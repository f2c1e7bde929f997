"""The Functional API: workflows written as plain functions, every step saved.

``@entrypoint`` turns a function into a graph (``invoke``, ``stream``,
``get_state``...); ``@task`` turns a function into durable work the
entrypoint calls: each call returns a future, calls run concurrently, and a
finished call's result is saved, so a resumed or restarted run never does it
twice.

Example::

    from cairngraph.func import entrypoint, task
    from cairngraph.checkpoint.memory import InMemorySaver

    @task
    def add_one(x: int) -> int:
        return x + 1

    @entrypoint(checkpointer=InMemorySaver())
    def main(numbers: list[int]) -> list[int]:
        return [f.result() for f in [add_one(n) for n in numbers]]

    main.invoke([1, 2], {"configurable": {"thread_id": "1"}})   # [2, 3]
"""

from __future__ import annotations

from cairngraph.func._entrypoint import entrypoint
from cairngraph.func._task import task

__all__ = ["entrypoint", "task"]
