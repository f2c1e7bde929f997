"""update_state on an entrypoint's thread changes what `previous` sees next time."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint


@entrypoint(checkpointer=InMemorySaver())
def total(x: int, previous: int | None = None) -> int:
    return (previous or 0) + x


config = {"configurable": {"thread_id": "1"}}
print(total.invoke(5, config))
new_config = total.update_state(config, 100)
print(sorted(new_config["configurable"]))
snapshot = total.get_state(config)
print("values", snapshot.values, snapshot.metadata["source"], snapshot.metadata["step"])
print(total.invoke(1, config))
print([s.metadata["source"] for s in total.get_state_history(config)])
