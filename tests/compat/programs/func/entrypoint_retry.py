"""retry_policy on the entrypoint: the entrypoint's policy also retries the tasks it calls."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.types import RetryPolicy

attempts = []


@task
def flaky(x: int) -> int:
    attempts.append(x)
    if len(attempts) < 2:
        raise ConnectionError("network down")
    return x + 1


@entrypoint(
    checkpointer=InMemorySaver(),
    retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.01, jitter=False),
)
def main(x: int) -> int:
    return flaky(x).result()


print(main.invoke(1, {"configurable": {"thread_id": "1"}}))
print("attempts", attempts)
