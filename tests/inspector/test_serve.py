"""``serve`` for real: a child process on a real socket; its token off localhost.

Opening stores and graphs by name is ``cairngraph.cli._open``'s, tested in ``tests/cli``.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from cairngraph.checkpoint.sqlite import SqliteSaver
from tests.inspector.flows import fill
from tests.inspector.test_browser import start_server


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
