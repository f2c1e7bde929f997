"""get_state after an interrupt inside a task, then a resume that reuses the finished task."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.types import Command, interrupt

ran = []


@task
def draft(topic: str) -> str:
    ran.append("draft")
    return f"draft about {topic}"


@task
def human_edit(text: str) -> str:
    ran.append("human_edit")
    edited = interrupt({"edit": text})
    return f"{text} / {edited}"


@entrypoint(checkpointer=InMemorySaver())
def flow(topic: str) -> str:
    text = draft(topic).result()
    return human_edit(text).result()


config = {"configurable": {"thread_id": "1"}}
result = flow.invoke("owls", config)
print("result", result)
snapshot = flow.get_state(config)
print("next", snapshot.next)
print("interrupts", [i.value for i in snapshot.interrupts])
print("tasks", [(t.name, [i.value for i in t.interrupts]) for t in snapshot.tasks])
print("metadata", snapshot.metadata["step"], snapshot.metadata["source"])
print(flow.invoke(Command(resume="better"), config))
print("ran", ran)
print("after", flow.get_state(config).next, flow.get_state(config).values)
