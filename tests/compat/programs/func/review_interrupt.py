"""The essay-review example: a task, then interrupt() for a human, then Command(resume=)."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.types import Command, interrupt

calls = []


@task
def write_essay(topic: str) -> str:
    calls.append(topic)
    return f"An essay about topic: {topic}"


@entrypoint(checkpointer=InMemorySaver())
def workflow(topic: str) -> dict:
    essay = write_essay(topic).result()
    is_approved = interrupt({"essay": essay, "action": "Please approve/reject the essay"})
    return {"essay": essay, "is_approved": is_approved}


config = {"configurable": {"thread_id": "1"}}
for item in workflow.stream("cat", config):
    print(item)
snapshot = workflow.get_state(config)
print("next", snapshot.next)
print("interrupts", snapshot.interrupts)
print("tasks", [(t.name, t.interrupts, t.result) for t in snapshot.tasks])
print("values", snapshot.values)
for item in workflow.stream(Command(resume=True), config):
    print(item)
print("essay written", len(calls), "time(s)")
final = workflow.get_state(config)
print("final", final.values, final.next, final.tasks)
