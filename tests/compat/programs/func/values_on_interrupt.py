"""stream_mode="values" across an interrupt and a resume; history of the thread after two runs."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.types import Command, interrupt


@task
def t(x: int) -> int:
    return x + 1


@entrypoint(checkpointer=InMemorySaver())
def main(x: dict) -> dict:
    y = t(x["v"]).result()
    ok = interrupt("ok?")
    return {"y": y, "ok": ok}


cfg = {"configurable": {"thread_id": "1"}}
for c in main.stream({"v": 1}, cfg, stream_mode=["values", "updates"]):
    print(c[0], c[1] if c[0] != "updates" or "__interrupt__" not in c[1] else "interrupt")
for c in main.stream(Command(resume=True), cfg, stream_mode=["values", "updates"]):
    print(c)
for c in main.stream({"v": 5}, cfg, stream_mode="values"):
    print("values", c if not isinstance(c, dict) or "__interrupt__" not in c else "interrupt")
print(main.invoke(Command(resume=False), cfg))
print(main.get_state(cfg).values)
h = list(main.get_state_history(cfg))
print(
    [
        (s.metadata["step"], s.metadata["source"], s.next, [(t.name, t.result) for t in s.tasks])
        for s in h
    ]
)
