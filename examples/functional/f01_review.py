"""Functional API: a task writes an essay, a human reviews it, the run resumes without rewriting."""

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.func import entrypoint, task
from cairngraph.types import Command, interrupt

essays_written = []


@task
def write_essay(topic: str) -> str:
    essays_written.append(topic)
    return f"An essay about {topic}"


@entrypoint(checkpointer=InMemorySaver())
def review(topic: str) -> dict:
    essay = write_essay(topic).result()
    verdict = interrupt({"essay": essay, "question": "Approve?"})
    return {"essay": essay, "approved": verdict == "yes"}


config = {"configurable": {"thread_id": "essay-1"}}
for chunk in review.stream("cats", config):
    if "__interrupt__" in chunk:
        chunk = {"__interrupt__": [item.value for item in chunk["__interrupt__"]]}
    print(chunk)

snapshot = review.get_state(config)
print("waiting on:", snapshot.next, [item.value["question"] for item in snapshot.interrupts])

print(review.invoke(Command(resume="yes"), config))
print("essays written:", len(essays_written))
