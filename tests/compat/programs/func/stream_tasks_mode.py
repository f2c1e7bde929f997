"""stream_mode="tasks": the entrypoint's task and each @task call start, then report a result."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task


@task
def double(x: int) -> int:
    return 2 * x


@entrypoint(checkpointer=InMemorySaver())
def main(x: int) -> int:
    return double(x).result() + double(x + 1).result()


config = {"configurable": {"thread_id": "1"}}
for chunk in main.stream(3, config, stream_mode=["tasks", "updates", "values"]):
    print(chunk)
