"""Thread isolation: 100 sessions at once (async), none sees another's state."""

import asyncio

from cairngraph.checkpoint.memory import InMemorySaver
from examples.tutorial.joke_graph import build_graph

workflow = build_graph().compile(checkpointer=InMemorySaver())


async def main() -> None:
    topics = [f"topic-{index}" for index in range(100)]
    configs = [{"configurable": {"thread_id": f"session-{i}"}} for i in range(100)]
    await asyncio.gather(
        *(
            workflow.ainvoke({"topic": topic}, config)
            for topic, config in zip(topics, configs, strict=True)
        )
    )
    mixed = 0
    for topic, config in zip(topics, configs, strict=True):
        values = (await workflow.aget_state(config)).values
        if values["topic"] != topic or topic not in values["joke"]:
            mixed += 1
    print("sessions run at once:", len(topics))
    print("sessions that saw another session's state:", mixed)
    history = [s async for s in workflow.aget_state_history(configs[42])]
    print("checkpoints of session-42:", len(history))


asyncio.run(main())
