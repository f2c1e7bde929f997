"""An entrypoint calling tasks, with InMemorySaver: results, state and history."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task


@task
def is_even(number: int) -> bool:
    return number % 2 == 0


@task
def format_message(is_even: bool) -> str:
    return "The number is even." if is_even else "The number is odd."


@entrypoint(checkpointer=InMemorySaver())
def workflow(inputs: dict) -> str:
    even = is_even(inputs["number"]).result()
    return format_message(even).result()


config = {"configurable": {"thread_id": "1"}}
print(workflow.invoke({"number": 7}, config))
snapshot = workflow.get_state(config)
print("values", snapshot.values)
print("next", snapshot.next)
print("tasks", snapshot.tasks)
print("metadata", snapshot.metadata)
for item in workflow.get_state_history(config):
    print("history", item.metadata["step"], item.metadata["source"], item.values, item.next)
    print("  tasks", [(t.name, t.path, t.result) for t in item.tasks])
print(workflow.invoke({"number": 4}, config))
print(len(list(workflow.get_state_history(config))))
