"""``parent_in``: the step of an enclosing namespace that saved a subgraph checkpoint."""

from __future__ import annotations

from cairngraph.checkpoint._parents import parent_in
from cairngraph.checkpoint.memory import InMemorySaver
from tests.cli.graphs import build_two_levels


def test_each_checkpoint_names_the_step_of_every_enclosing_namespace() -> None:
    saver = InMemorySaver()
    build_two_levels().compile(checkpointer=saver).invoke(
        {"topic": "x"}, {"configurable": {"thread_id": "t"}}
    )
    items = list(saver.list({"configurable": {"thread_id": "t"}}))
    spaces = {str(i.config["configurable"]["checkpoint_ns"]) for i in items}
    middle = next(s for s in spaces if s.startswith("middle:") and "|" not in s)
    deep = next(s for s in spaces if "|" in s)
    root_ids = {
        i.config["configurable"]["checkpoint_id"]
        for i in items
        if not i.config["configurable"]["checkpoint_ns"]
    }
    middle_ids = {
        i.config["configurable"]["checkpoint_id"]
        for i in items
        if i.config["configurable"]["checkpoint_ns"] == middle
    }
    for item in items:
        ns = item.config["configurable"]["checkpoint_ns"]
        if ns == "":
            assert parent_in(item, "") is None  # not below the root: its own namespace
        else:
            assert parent_in(item, "") in root_ids  # a subgraph at any depth
        if ns == deep:
            assert parent_in(item, middle) in middle_ids
        else:
            assert parent_in(item, middle) is None
