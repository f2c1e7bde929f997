"""Subgraph namespaces in the inspector: a step lists the checkpoints its subgraphs saved,
and every page reads a subgraph namespace with ``?ns=``."""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, TypedDict
from urllib.parse import unquote

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import END, START, StateGraph
from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.inspector import _reads, _subgraphs, create_app
from cairngraph.inspector._values import dumps, to_json
from cairngraph.types import interrupt
from tests.cli.graphs import build_nested


class Steps(TypedDict, total=False):
    topic: str
    steps: Annotated[list[str], operator.add]


def _chain(*names: str) -> StateGraph:
    graph = StateGraph(Steps)
    for name in names:
        graph.add_node(name, lambda state, name=name: {"steps": [name]})
    graph.add_edge(START, names[0])
    for first, second in itertools.pairwise(names):
        graph.add_edge(first, second)
    graph.add_edge(names[-1], END)
    return graph


def build_two_levels() -> StateGraph:
    """outer → middle (a subgraph) → inner (its subgraph): namespaces ``middle:…|inner:…``."""
    middle = StateGraph(Steps)
    middle.add_node("inner", _chain("deep_a", "deep_b").compile())
    middle.add_node("m_after", lambda state: {"steps": ["m_after"]})
    middle.add_edge(START, "inner")
    middle.add_edge("inner", "m_after")
    middle.add_edge("m_after", END)
    outer = StateGraph(Steps)
    outer.add_node("middle", middle.compile())
    outer.add_edge(START, "middle")
    outer.add_edge("middle", END)
    return outer


def build_asking_inside() -> StateGraph:
    """A subgraph that waits at an interrupt: the parent's latest step has it running."""
    inner = StateGraph(Steps)
    inner.add_node("before", lambda state: {"steps": ["before"]})
    inner.add_node("ask", lambda state: {"steps": [str(interrupt("go on?"))]})
    inner.add_edge(START, "before")
    inner.add_edge("before", "ask")
    inner.add_edge("ask", END)
    outer = StateGraph(Steps)
    outer.add_node("sub", inner.compile())
    outer.add_edge(START, "sub")
    outer.add_edge("sub", END)
    return outer


def _config(thread: str) -> dict[str, dict[str, str]]:
    return {"configurable": {"thread_id": thread}}


@pytest.fixture
def nested(tmp_path: Path) -> Iterator[tuple[SqliteSaver, TestClient]]:
    saver = SqliteSaver(tmp_path / "nested.db")
    build_nested().compile(checkpointer=saver).invoke({"topic": "x"}, _config("one"))
    build_two_levels().compile(checkpointer=saver).invoke({"topic": "y"}, _config("two"))
    build_asking_inside().compile(checkpointer=saver).invoke({"topic": "z"}, _config("asks"))
    graph: CompiledStateGraph = build_nested().compile(checkpointer=saver)
    yield saver, TestClient(create_app(saver, graph=graph, read_only=False, token=None))
    saver.close()


def _by_ns(saver: SqliteSaver, thread: str) -> dict[str, list[str]]:
    """Every namespace of the thread and its checkpoint ids, newest first (from the saver)."""
    found: dict[str, list[str]] = {}
    for item in saver.list(_config(thread)):
        found.setdefault(item.config["configurable"]["checkpoint_ns"], []).append(
            item.checkpoint.id
        )
    return found


def _links(html: str, css: str) -> list[str]:
    return [
        link.replace("&amp;", "&") for link in re.findall(rf'class="{css}" href="([^"]+)"', html)
    ]


def _namespaces(links: list[str]) -> set[str]:
    return {unquote(re.search(r"ns=([^&]+)", link).group(1)) for link in links}  # type: ignore[union-attr]


@pytest.mark.parametrize("with_graph", [True, False], ids=["graph", "no-graph"])
def test_a_root_step_lists_the_checkpoints_its_subgraph_saved(
    nested: tuple[SqliteSaver, TestClient], with_graph: bool
) -> None:
    saver, client = nested
    if not with_graph:
        client = TestClient(create_app(saver, graph=None, read_only=True, token=None))
    spaces = _by_ns(saver, "one")
    (sub,) = [ns for ns in spaces if ns]
    root = spaces[""]
    parent = next(
        item.metadata["parents"][""]
        for item in saver.list({"configurable": {"thread_id": "one", "checkpoint_ns": sub}})
    )
    page = client.get(f"/step?thread_id=one&checkpoint_id={parent}")
    assert page.status_code == 200
    links = _links(page.text, "subgraph-step")
    assert [re.search(r"checkpoint_id=([^&]+)", link).group(1) for link in links] == spaces[sub]  # type: ignore[union-attr]
    assert all(f"ns={sub.replace(':', '%3A')}" in link for link in links)
    # Steps whose run had no subgraph list none.
    for other in root:
        if other != parent:
            assert (
                "subgraph-step" not in client.get(f"/step?thread_id=one&checkpoint_id={other}").text
            )


def test_a_subgraph_step_page_reads_its_namespace_and_links_back(
    nested: tuple[SqliteSaver, TestClient],
) -> None:
    saver, client = nested
    spaces = _by_ns(saver, "one")
    (sub,) = [ns for ns in spaces if ns]
    newest, older = spaces[sub][0], spaces[sub][1]
    page = client.get("/step", params={"thread_id": "one", "checkpoint_id": newest, "ns": sub})
    assert page.status_code == 200
    assert f"<code>{sub}</code>" in page.text and 'method="post"' not in page.text
    expected = saver.get_tuple(
        {"configurable": {"thread_id": "one", "checkpoint_ns": sub, "checkpoint_id": newest}}
    )
    assert expected is not None
    shown = dumps(to_json(_reads.state_values(expected)))
    assert str(escape(shown)) in page.text and expected.checkpoint.channel_values["steps"]
    older_link = _links(page.text, "older-step")
    assert older_link and f"checkpoint_id={older}" in older_link[0] and "ns=" in older_link[0]
    assert "newer-step" not in page.text  # the newest of its namespace
    back = _links(page.text, "parent-graph-step")
    assert (
        back
        and f"checkpoint_id={expected.metadata['parents']['']}" in back[0]
        and "ns=" not in back[0]
    )
    raw = client.get("/state.json", params={"thread_id": "one", "checkpoint_id": newest, "ns": sub})
    assert raw.json()["checkpoint_ns"] == sub
    assert raw.json()["values"]["steps"] == expected.checkpoint.channel_values["steps"]
    timeline = client.get("/thread", params={"thread_id": "one", "ns": sub})
    steps = _links(timeline.text, "step-link")
    assert len(steps) == len(spaces[sub]) and all("ns=" in link for link in steps)
    diff = client.get(_links(timeline.text, "diff-link")[0])
    assert diff.status_code == 200 and "steps" in diff.text
    missing = client.get(
        "/step", params={"thread_id": "one", "checkpoint_id": newest, "ns": "nope"}
    )
    assert missing.status_code == 404 and "namespace &#39;nope&#39;" in missing.text


def test_two_levels_of_subgraphs_nest_step_by_step(nested: tuple[SqliteSaver, TestClient]) -> None:
    saver, client = nested
    spaces = _by_ns(saver, "two")
    middle = next(ns for ns in spaces if ns and "|" not in ns)
    inner = next(ns for ns in spaces if "|" in ns)
    assert inner.startswith(middle + "|")
    root_parent = saver.get_tuple({"configurable": {"thread_id": "two", "checkpoint_ns": middle}})
    assert root_parent is not None
    # The root step lists its task's subgraph; the scan page lists both levels; the middle
    # step that ran the inner graph lists the inner one.
    root_step = root_parent.metadata["parents"][""]
    top = client.get(f"/step?thread_id=two&checkpoint_id={root_step}")
    assert _namespaces(_links(top.text, "subgraph-step")) == {middle}
    scan = client.get(_links(top.text, "subgraph-scan")[0])
    assert scan.status_code == 200
    assert _namespaces(_links(scan.text, "subgraph-step")) == {middle, inner}
    assert len(_links(scan.text, "subgraph-step")) == len(spaces[middle]) + len(spaces[inner])
    inner_item = saver.get_tuple({"configurable": {"thread_id": "two", "checkpoint_ns": inner}})
    assert inner_item is not None
    middle_step = inner_item.metadata["parents"][middle]
    page = client.get(
        "/step", params={"thread_id": "two", "checkpoint_id": middle_step, "ns": middle}
    )
    middle_item = saver.get_tuple(
        {
            "configurable": {
                "thread_id": "two",
                "checkpoint_ns": middle,
                "checkpoint_id": middle_step,
            }
        }
    )
    assert middle_item is not None
    rows, more = _subgraphs.subgraph_rows(saver, "two", middle_item, ns=middle)
    assert not more and {row.ns for row in rows} == {inner}
    newer = _reads.newer_checkpoint(saver, "two", middle_step, middle)
    scanned, _ = _subgraphs.subgraph_scan(
        saver, "two", middle_step, ns=middle, newer_id=newer.checkpoint.id if newer else None
    )
    assert scanned == rows
    assert len(_links(page.text, "subgraph-step")) == len(spaces[inner])
    back = _links(
        client.get(
            "/step", params={"thread_id": "two", "checkpoint_id": spaces[inner][0], "ns": inner}
        ).text,
        "parent-graph-step",
    )
    assert back and f"checkpoint_id={middle_step}" in back[0] and "ns=" in back[0]


def test_a_subgraph_still_running_shows_under_the_latest_step(
    nested: tuple[SqliteSaver, TestClient],
) -> None:
    saver, client = nested
    spaces = _by_ns(saver, "asks")
    (sub,) = [ns for ns in spaces if ns]
    latest = spaces[""][0]
    for app in (client, TestClient(create_app(saver, graph=None, read_only=True, token=None))):
        page = app.get(f"/step?thread_id=asks&checkpoint_id={latest}")
        assert len(_links(page.text, "subgraph-step")) == len(spaces[sub])
        scan = app.get(_links(page.text, "subgraph-scan")[0])
        assert len(_links(scan.text, "subgraph-step")) == len(spaces[sub])


def test_the_timeline_marks_the_steps_that_ran_subgraphs(
    nested: tuple[SqliteSaver, TestClient],
) -> None:
    saver, client = nested
    for thread in ("one", "two", "asks"):
        spaces = _by_ns(saver, thread)
        ran = {
            item.metadata["parents"][""]
            for item in saver.list(_config(thread))
            if item.config["configurable"]["checkpoint_ns"].count(":") == 1
        }
        page = client.get(f"/thread?thread_id={thread}")
        marked = {
            re.search(r"checkpoint_id=([^&]+)", link).group(1)  # type: ignore[union-attr]
            for link in _links(page.text, "badge subgraphs")
        }
        assert marked == ran and len(spaces[""]) > len(ran)
    middle = next(ns for ns in _by_ns(saver, "two") if ns and "|" not in ns)
    inner_page = client.get("/thread", params={"thread_id": "two", "ns": middle})
    (link,) = _links(inner_page.text, "badge subgraphs")
    assert "ns=" in link and "1 subgraph ran" in inner_page.text
