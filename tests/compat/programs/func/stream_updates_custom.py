"""Streaming an entrypoint: updates (each task, then the entrypoint), custom, values."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_stream_writer
from langgraph.func import entrypoint, task
from langgraph.types import StreamWriter


@task
def fetch(item: str) -> str:
    get_stream_writer()({"fetching": item})
    return item.upper()


@entrypoint(checkpointer=InMemorySaver())
def main(items: list[str], writer: StreamWriter) -> str:
    writer("starting")
    results = [fetch(item).result() for item in items]
    writer({"done": len(results)})
    return "-".join(results)


config = {"configurable": {"thread_id": "1"}}
for mode in ["updates", "custom", "values"]:
    print(mode)
    for chunk in main.stream(["a", "b"], config, stream_mode=mode):
        print(" ", chunk)
print("several")
for chunk in main.stream(["c"], config, stream_mode=["updates", "custom"]):
    print(" ", chunk)
print("default")
for chunk in main.stream(["d"], config):
    print(" ", chunk)
