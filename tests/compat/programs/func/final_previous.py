"""entrypoint.final returns one value and saves another for `previous`."""

from typing import Any

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint


@entrypoint(checkpointer=InMemorySaver())
def my_workflow(number: int, *, previous: Any = None) -> entrypoint.final[int, int]:
    previous = previous or 0
    return entrypoint.final(value=previous, save=2 * number)


config = {"configurable": {"thread_id": "some_thread"}}
print(my_workflow.invoke(3, config))
print(my_workflow.invoke(1, config))
print(my_workflow.invoke(5, config))
snapshot = my_workflow.get_state(config)
print("values", snapshot.values)
print("metadata", snapshot.metadata["step"], snapshot.metadata["source"])
print("other thread", my_workflow.invoke(1, {"configurable": {"thread_id": "x"}}))
