"""Parent refs the saver remembers: fewer reads, and never a ref to a value that is not there.

A chat appends one message per step, stored as a delta on the channel's
previous value. A step reuses its parent checkpoint's refs (and a delta
builds on the parent's value); the saver remembers the refs of checkpoints
it committed or read, so its own next step need not read the parent row
back. These tests check that what it remembers never disagrees with the
tables: after other processes' steps, a rollback, or a deleted thread, every
checkpoint still reads back whole.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import psycopg
import pytest

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.postgres import PostgresSaver, _driver, _save
from cairngraph.graph import START, StateGraph
from tests.postgres_server import fresh_schema, schema_url


class Chat(TypedDict, total=False):
    messages: Annotated[list[str], operator.add]


def _chat() -> Any:
    graph = StateGraph(Chat)
    graph.add_node("reply", lambda state: {"messages": [f"reply {len(state['messages'])}"]})
    graph.add_edge(START, "reply")
    return graph


class BaseReads(psycopg.Cursor[Any]):
    """A cursor that counts the statements reading a step's parent row."""

    count = 0

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        if str(query) == _save.PARENT:
            BaseReads.count += 1
        return super().execute(query, params, **kwargs)


@pytest.fixture
def url(postgres_url: str) -> Iterator[str]:
    with fresh_schema(postgres_url) as (server, schema):
        yield schema_url(server, schema)


def _expected(turns: int) -> list[str]:
    messages: list[str] = []
    for turn in range(turns):
        messages += [f"user {turn}", f"reply {len(messages) + 1}"]
    return messages


def _turns(app: Any, start: int, stop: int, thread: str = "chat") -> None:
    for turn in range(start, stop):
        app.invoke({"messages": [f"user {turn}"]}, {"configurable": {"thread_id": thread}})


def _every_checkpoint_whole(saver: PostgresSaver, thread: str = "chat") -> None:
    for saved in saver.list({"configurable": {"thread_id": thread}}):
        messages = saved.checkpoint["channel_values"].get("messages", [])
        assert messages == _expected(len(messages))[: len(messages)]


def test_a_run_reads_no_base_it_saved_itself(url: str) -> None:
    with psycopg.connect(url, autocommit=True, cursor_factory=BaseReads) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        app = _chat().compile(checkpointer=saver)
        BaseReads.count = 0
        _turns(app, 0, 20)
        assert BaseReads.count == 0
        assert app.get_state({"configurable": {"thread_id": "chat"}}).values == {
            "messages": _expected(20)
        }
        # A fresh saver (another process) knows nothing yet, but a run reads its
        # thread's latest checkpoint first, and learns its refs from that.
        fresh = _chat().compile(checkpointer=PostgresSaver(conn))
        _turns(fresh, 20, 25)
        assert BaseReads.count == 0
        # A step on a parent it never saw reads the parent row, once.
        other = PostgresSaver(conn)
        latest = other.get_tuple({"configurable": {"thread_id": "chat"}})
        assert latest is not None
        other._control.refs.forget()
        child = dataclasses.replace(latest.checkpoint, id=new_checkpoint_id())
        other.put(latest.config, child, latest.metadata, {})
        assert BaseReads.count == 1
        _every_checkpoint_whole(saver)


def test_idle_means_what_libpq_says() -> None:
    assert _driver._IDLE == psycopg.pq.TransactionStatus.IDLE


def test_steps_of_another_saver_in_between(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as first, PostgresSaver.from_conn_string(url) as other:
        first.setup()
        mine, theirs = _chat().compile(checkpointer=first), _chat().compile(checkpointer=other)
        _turns(mine, 0, 5)
        _turns(theirs, 5, 10)
        _turns(mine, 10, 15)  # what `first` remembers is no longer the newest blob
        assert mine.get_state({"configurable": {"thread_id": "chat"}}).values == {
            "messages": _expected(15)
        }
        _every_checkpoint_whole(first)


def test_steps_rolled_back_by_the_caller_leave_every_checkpoint_whole(url: str) -> None:
    with psycopg.connect(url) as conn:  # not autocommit
        saver = PostgresSaver(conn)
        saver.setup()
        app = _chat().compile(checkpointer=saver)
        _turns(app, 0, 3)  # each save commits on its own on an idle connection
        conn.execute("SELECT 1")  # the caller opens a transaction: saves nest in it
        _turns(app, 3, 6)
        conn.rollback()  # turns 3-5 never happened
        _turns(app, 3, 8)
        assert app.get_state({"configurable": {"thread_id": "chat"}}).values == {
            "messages": _expected(8)
        }
        _every_checkpoint_whole(saver)


def test_a_deleted_thread_starts_over(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        app = _chat().compile(checkpointer=saver)
        _turns(app, 0, 4)
        saver.delete_thread("chat")
        _turns(app, 0, 3)
        assert app.get_state({"configurable": {"thread_id": "chat"}}).values == {
            "messages": _expected(3)
        }
        _every_checkpoint_whole(saver)


@pytest.mark.parametrize("pipelined", [True, False], ids=["pipelined", "libpq-without-pipelines"])
def test_async_durability_batches_chain_their_bases(
    url: str, pipelined: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cairngraph.checkpoint.postgres.pipelines", lambda: pipelined)
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        app = _chat().compile(checkpointer=saver)
        for turn in range(10):
            app.invoke(
                {"messages": [f"user {turn}"]},
                {"configurable": {"thread_id": "chat"}},
                durability="async",
            )
        assert app.get_state({"configurable": {"thread_id": "chat"}}).values == {
            "messages": _expected(10)
        }
        _every_checkpoint_whole(saver)
