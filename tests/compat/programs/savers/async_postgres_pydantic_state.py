"""AsyncPostgresSaver: pydantic state with nested models and an enum, interrupted and resumed."""

import asyncio
import os
from enum import StrEnum

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from pydantic import BaseModel

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class Level(StrEnum):
    LOW = "low"
    HIGH = "high"


class Risk(BaseModel):
    level: Level
    reasons: list[str]


class Case(BaseModel):
    title: str
    risk: Risk | None = None
    verdict: str = ""


async def assess(state: Case) -> dict:
    return {"risk": Risk(level=Level.HIGH, reasons=["new vendor"])}


async def decide(state: Case) -> dict:
    return {"verdict": interrupt({"title": state.title, "level": state.risk.level.value})}


builder = StateGraph(Case)
builder.add_node("assess", assess)
builder.add_node("decide", decide)
builder.add_edge(START, "assess")
builder.add_edge("assess", "decide")


async def main() -> None:
    config = {"configurable": {"thread_id": "case"}}
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        result = await graph.ainvoke({"title": "buy servers"}, config)
        print(result["__interrupt__"][0].value)
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        graph = builder.compile(checkpointer=saver)
        values = (await graph.aget_state(config)).values
        print(type(values["risk"]).__name__, values["risk"].level, values["risk"].reasons)
        print(await graph.ainvoke(Command(resume="approved"), config))


asyncio.run(main())
