"""Simple persistence: every step of a run is saved by InMemorySaver."""

from cairngraph.checkpoint.memory import InMemorySaver
from examples.tutorial.joke_graph import build_graph

workflow = build_graph().compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "1"}}

result = workflow.invoke({"topic": "chickens"}, config=config)
print("joke:", result["joke"])
print("explanation:", result["explanation"])

for snapshot in workflow.get_state_history(config):
    step, source = snapshot.metadata["step"], snapshot.metadata["source"]
    print(f"step {step:>2} ({source:<5}) next={snapshot.next} keys={sorted(snapshot.values)}")
