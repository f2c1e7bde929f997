"""Forking a session: a new thread from an old snapshot, and time travel on one thread."""

from cairngraph.checkpoint.memory import InMemorySaver
from examples.tutorial.joke_graph import build_graph

workflow = build_graph().compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "1"}}
workflow.invoke({"topic": "ducks"}, config)

# 1. A new thread that starts from an older snapshot's values.
snapshots = list(workflow.get_state_history(config=config))
base = snapshots[0].values
workflow.invoke(base, config={"configurable": {"thread_id": "fork_1"}})
print("fork_1 starts with:", sorted(base))
print(
    "fork_1 checkpoints:",
    len(list(workflow.get_state_history({"configurable": {"thread_id": "fork_1"}}))),
)

# 2. Time travel: edit the joke at the step before explain_joke, replay from there.
before_explain = next(s for s in snapshots if s.next == ("explain_joke",))
edited = workflow.update_state(before_explain.config, {"joke": "A duck walks into a bar."})
result = workflow.invoke(None, edited)
print("new branch explains:", result["joke"])
sources = [s.metadata["source"] for s in workflow.get_state_history(config)]
print("history sources (newest first):", sources)
