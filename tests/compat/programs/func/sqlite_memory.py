"""SqliteSaver.from_conn_string(":memory:") under an entrypoint: a failure, then invoke(None)."""

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.func import entrypoint, task

ran = []
broken = {"on": True}


@task
def step_one(x: int) -> int:
    ran.append("one")
    return x + 1


@task
def step_two(x: int) -> int:
    ran.append("two")
    if broken["on"]:
        raise ValueError("step two is down")
    return x * 2


with SqliteSaver.from_conn_string(":memory:") as saver:

    @entrypoint(checkpointer=saver)
    def pipeline(x: int) -> dict:
        a = step_one(x).result()
        b = step_two(a).result()
        return {"a": a, "b": b}

    config = {"configurable": {"thread_id": "1"}}
    try:
        pipeline.invoke(5, config)
    except ValueError as error:
        print("failed:", error)
    print("ran", ran)
    snapshot = pipeline.get_state(config)
    print("next", snapshot.next, [(t.name, t.error) for t in snapshot.tasks])
    broken["on"] = False
    print(pipeline.invoke(None, config))
    print("ran", ran)
    print(
        [
            (s.metadata["step"], s.metadata["source"], s.values, s.next)
            for s in pipeline.get_state_history(config)
        ]
    )
