"""Inspecting state and history: next, values, config, metadata."""

from cairngraph.checkpoint.memory import InMemorySaver
from examples.tutorial.joke_graph import build_graph

workflow = build_graph().compile(checkpointer=InMemorySaver(), interrupt_before=["explain_joke"])
config = {"configurable": {"thread_id": "inspect"}}
workflow.invoke({"topic": "penguins"}, config)

current = workflow.get_state(config)
print("paused before:", current.next)
print("values so far:", sorted(current.values))
print("config keys:", sorted(current.config["configurable"]))
print("metadata:", current.metadata)

workflow.invoke(None, config)
current = workflow.get_state(config)
print("after resuming, next:", current.next)

history = list(workflow.get_state_history(config=config))
print("checkpoints:", len(history))
for snapshot in history:
    parent = "yes" if snapshot.parent_config else "no"
    print(f"  step {snapshot.metadata['step']:>2} next={snapshot.next} has parent: {parent}")
print("first page of 2:", [s.metadata["step"] for s in workflow.get_state_history(config, limit=2)])
print(
    "only loop steps:",
    [s.metadata["step"] for s in workflow.get_state_history(config, filter={"source": "loop"})],
)
