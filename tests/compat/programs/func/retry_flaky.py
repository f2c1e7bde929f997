"""retry_policy on a flaky task: it fails twice, then succeeds; the entrypoint sees one result."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.types import RetryPolicy

attempts = []


@task(retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.01, retry_on=ValueError))
def flaky(x: int) -> int:
    attempts.append(x)
    if len(attempts) < 3:
        raise ValueError("try again")
    return x * 10


@task(retry_policy=RetryPolicy(max_attempts=2, initial_interval=0.01))
def always_fails(x: int) -> int:
    attempts.append(-x)
    raise RuntimeError(f"broken {x}")


@entrypoint(checkpointer=InMemorySaver())
def workflow(x: int) -> int:
    return flaky(x).result()


@entrypoint(checkpointer=InMemorySaver())
def failing(x: int) -> int:
    return always_fails(x).result()


config = {"configurable": {"thread_id": "1"}}
print(workflow.invoke(4, config))
print("attempts", attempts)
attempts.clear()
try:
    failing.invoke(2, config)
except RuntimeError as error:
    print("raised", type(error).__name__, error)
print("attempts", attempts)
snapshot = failing.get_state(config)
print("next", snapshot.next, [(t.name, t.error) for t in snapshot.tasks])
