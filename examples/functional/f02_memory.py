"""Functional API: parallel tasks, and `previous` / entrypoint.final as per-thread memory."""

from typing import Any

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.func import entrypoint, task


@task
def score(word: str) -> int:
    return len(word)


@entrypoint(checkpointer=InMemorySaver())
def tally(words: list[str], *, previous: Any = None) -> entrypoint.final[int, int]:
    futures = [score(word) for word in words]  # the calls run concurrently
    total = (previous or 0) + sum(future.result() for future in futures)
    # Return this run's gain; save the running total for the next run of the thread.
    return entrypoint.final(value=total - (previous or 0), save=total)


config = {"configurable": {"thread_id": "tally-1"}}
print(tally.invoke(["to", "be"], config))
print(tally.invoke(["or", "not"], config))
print("saved total:", tally.get_state(config).values)
for snapshot in tally.get_state_history(config):
    print(snapshot.metadata["step"], snapshot.metadata["source"], snapshot.next)
