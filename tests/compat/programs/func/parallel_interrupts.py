"""Two tasks that both ask a human: answers by interrupt id, one round after the other."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.types import Command, interrupt


@task
def ask(question: str) -> str:
    return f"{question}={interrupt(question)}"


@entrypoint(checkpointer=InMemorySaver())
def main(questions: list[str]) -> list[str]:
    futures = [ask(q) for q in questions]
    return [f.result() for f in futures]


config = {"configurable": {"thread_id": "1"}}
out = main.invoke(["a", "b"], config)
print("asked", sorted(i.value for i in out["__interrupt__"]))
for round in range(3):
    snapshot = main.get_state(config)
    if not snapshot.next:
        break
    print("waiting", [i.value for i in snapshot.interrupts])
    answers = {i.id: i.value.upper() for i in snapshot.interrupts}
    out = main.invoke(Command(resume=answers), config)
    print("round", round, out if isinstance(out, list) else [i.value for i in out["__interrupt__"]])
print("final", main.get_state(config).values)
