"""``serve`` for real: a child process on a real socket; its token off localhost; ``_open``."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.errors import InvalidConfigError
from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.inspector._open import load_graph, open_saver
from tests.inspector.flows import fill
from tests.inspector.test_browser import start_server
from tests.postgres_server import fresh_schema, schema_url


def _store(tmp_path: Path) -> Path:
    db = tmp_path / "runs.db"
    saver = SqliteSaver(db)
    fill(saver, jokes=1)
    saver.close()
    return db


def test_localhost_needs_no_token_and_without_graph_nothing_writes(tmp_path: Path) -> None:
    child, url = start_server(_store(tmp_path), graph=None)
    try:
        assert url.startswith("http://127.0.0.1:") and "token" not in url
        page = httpx.get(url)
        assert page.status_code == 200 and "review-paused" in page.text
        assert 'method="post"' not in httpx.get(url + "thread?thread_id=review-paused").text
        assert httpx.post(url + "actions/fork", data={}).status_code in (404, 405)
        rebound = httpx.get(url, headers={"Host": "evil.example:80"})
        assert rebound.status_code == 403 and "serves only this machine" in rebound.text
        assert httpx.get(url, headers={"Host": "localhost"}).status_code == 200
    finally:
        child.terminate()
        child.wait(10)


def test_another_host_prints_a_token_and_requires_it(tmp_path: Path) -> None:
    child, url = start_server(_store(tmp_path), graph=None, host="0.0.0.0")
    try:
        assert "?token=" in url
        local = url.replace("0.0.0.0", "127.0.0.1")
        bare = local.split("?")[0]
        assert httpx.get(bare).status_code == 401
        with httpx.Client() as client:
            assert client.get(local).status_code == 200
            assert client.get(bare + "thread?thread_id=joke-0").status_code == 200  # cookie
    finally:
        child.terminate()
        child.wait(10)


def test_open_saver_takes_paths_and_urls(tmp_path: Path) -> None:
    db = _store(tmp_path)
    for url in (str(db), f"sqlite:///{db}"):
        with open_saver(url, read_only=True) as saver:
            assert [t.thread_id for t in saver.threads(search="joke")] == ["joke-0"]
    with (
        pytest.raises(InvalidConfigError, match="is not a SQLite path"),
        open_saver("mysql://x", read_only=True),
    ):
        pass
    with fresh_schema() as (server, schema):
        with open_saver(schema_url(server, schema), read_only=False) as saver:
            fill(saver, jokes=1)
        with open_saver(schema_url(server, schema), read_only=True) as saver:
            assert len(list(saver.threads())) == 4


def test_load_graph_compiles_with_the_saver(tmp_path: Path) -> None:
    with open_saver(str(_store(tmp_path)), read_only=False) as saver:
        for spec in (
            "tests.inspector.flows:builder",
            "examples.tutorial.joke_graph:build_graph",
        ):
            app = load_graph(spec, saver)
            assert isinstance(app, CompiledStateGraph) and app.checkpointer is saver
        app = load_graph("tests.inspector.flows:stops_before_review", saver)
        assert app.checkpointer is saver and app.interrupt_before_nodes == ("review",)
        for bad, message in (
            ("nocolon", "is not module:attr"),
            ("no.such.module:x", "cannot import"),
            ("tests.inspector.flows:missing", "has no 'missing'"),
            ("tests.inspector.flows:Review", "is dict|is _TypedDict|not a StateGraph"),
        ):
            with pytest.raises(InvalidConfigError, match=message):
                load_graph(bad, saver)
