"""The inspector's pages and actions through Starlette's TestClient, on real SQLite stores."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypedDict

import pytest
from starlette.testclient import TestClient

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import START, StateGraph
from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.inspector import _reads, create_app

Store = tuple[SqliteSaver, CompiledStateGraph, Path]
PAUSED = {"configurable": {"thread_id": "review-paused"}}
FORKED = {"configurable": {"thread_id": "review-forked"}}


class Big(TypedDict):
    n: int
    items: list[int]


def _ids(saver: SqliteSaver, config: dict) -> list[str]:
    return [item.checkpoint.id for item in saver.list(config)]


def _threads_on(html: str) -> list[str]:
    return re.findall(r'class="thread-link" href="[^"]*thread_id=([^"&]+)"', html)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@pytest.fixture
def client(store: Store) -> TestClient:
    saver, app, _ = store
    return TestClient(create_app(saver, graph=app, read_only=False, token=None))


def test_thread_list_search_filters_and_pages(client: TestClient) -> None:
    listed = _threads_on(client.get("/").text)
    assert listed == ["review-paused", "review-forked", "review-done", "joke-2", "joke-1", "joke-0"]
    assert _threads_on(client.get("/?q=joke").text) == ["joke-2", "joke-1", "joke-0"]
    assert _threads_on(client.get("/?m=user%3Dann").text) == ["joke-2", "joke-0"]
    assert _threads_on(client.get("/?m=n%3D1").text) == ["joke-1"]  # JSON: 1 is a number
    first = client.get("/?limit=4").text
    assert _threads_on(first) == listed[:4]
    more = re.search(r'class="next-page" href="([^"]+)"', first)
    assert more is not None
    second = client.get(more.group(1).replace("&amp;", "&")).text
    assert _threads_on(second) == listed[4:]
    assert "next-page" not in second


def test_bad_filter_and_unknown_places_are_clear_errors(client: TestClient) -> None:
    bad = client.get("/?m=nokey")
    assert bad.status_code == 400 and "is not key=value" in bad.text
    assert client.get("/thread?thread_id=nobody").status_code == 404
    missing = client.get("/step?thread_id=review-done&checkpoint_id=0000")
    assert missing.status_code == 404 and "has no checkpoint" in missing.text
    assert client.get("/?limit=0").status_code == 400


def test_timeline_shows_steps_nodes_and_the_fork_as_a_branch(
    store: Store, client: TestClient
) -> None:
    saver, _, _ = store
    html = client.get("/thread?thread_id=review-forked").text
    rows = re.findall(r'<tr class="lane-(\d)( branch-start)?" data-checkpoint="([^"]+)"', html)
    assert [row[2] for row in rows] == _ids(saver, FORKED)
    assert rows[0][:2] == ("1", " branch-start")  # the edit branches off step 1
    assert all(lane == "0" for lane, _, _ in rows[1:])
    assert "branch from step 1" in html and "fork point \N{MULTIPLICATION SIGN}2" in html
    assert "<td>write</td>" in html and "<td>review</td>" in html and "<td>__start__</td>" in html


def test_timeline_pages_with_before(store: Store, client: TestClient) -> None:
    saver, _, _ = store
    ids = _ids(saver, FORKED)
    first = client.get("/thread?thread_id=review-forked&limit=2").text
    assert re.findall(r'data-checkpoint="([^"]+)"', first) == ids[:2]
    link = re.search(r'class="next-page" href="([^"]+)"', first)
    assert link is not None
    second = client.get(link.group(1).replace("&amp;", "&") + "&limit=2").text
    assert re.findall(r'data-checkpoint="([^"]+)"', second) == ids[2:4]


def test_step_page_shows_state_interrupt_graph_and_writes(store: Store, client: TestClient) -> None:
    saver, _, _ = store
    latest = _ids(saver, PAUSED)[0]
    html = client.get(f"/step?thread_id=review-paused&checkpoint_id={latest}").text
    assert "a post about birds" in html and "publish?" in html  # state and the interrupt's value
    assert 'class="node next" data-node="review"' in html  # the next node is highlighted
    assert 'class="node" data-node="write"' in html
    assert (
        "<details" in html and "&#34;draft&#34;: &#34;a post about birds&#34;" in html
    )  # raw JSON
    first = _ids(saver, PAUSED)[-1]
    start = client.get(f"/step?thread_id=review-paused&checkpoint_id={first}").text
    assert (
        "<code>topic</code>" in start and "<code>branch:to:write</code>" in start
    )  # pending writes
    assert "first step" in start and "next saved step" in start


def test_step_navigation_walks_the_whole_history(store: Store, client: TestClient) -> None:
    saver, _, _ = store
    ids = _ids(saver, FORKED)
    seen = [ids[-1]]
    while True:
        html = client.get(f"/step?thread_id=review-forked&checkpoint_id={seen[-1]}").text
        link = re.search(r'class="newer-step" href="[^"]*checkpoint_id=([^"]+)"', html)
        if link is None:
            break
        seen.append(link.group(1))
    assert seen == ids[::-1]


def test_raw_state_json_is_the_saved_state(store: Store, client: TestClient) -> None:
    saver, _, _ = store
    latest = saver.get_tuple(PAUSED)
    assert latest is not None
    body = client.get(f"/state.json?thread_id=review-paused&checkpoint_id={latest.checkpoint.id}")
    assert body.json()["values"] == {
        "topic": "birds",
        "draft": "a post about birds",
        "notes": {"words": 4, "tags": ["x"]},
    }
    assert {w["channel"] for w in body.json()["pending_writes"]} == {"__interrupt__"}


def test_diff_between_two_steps_is_per_key_and_nested(store: Store, client: TestClient) -> None:
    saver, _, _ = store
    ids = _ids(saver, FORKED)
    html = client.get(f"/diff?thread_id=review-forked&b={ids[2]}").text  # step 1 against its parent
    assert re.findall(r'<tr class="(\w+)"><td><code>([^<]+)</code>', html) == [
        ("added", "draft"),
        ("added", "notes"),
    ]
    both = client.get(f"/diff?thread_id=review-forked&a={ids[1]}&b={ids[0]}").text
    assert re.findall(r'<tr class="(\w+)"><td><code>([^<]+)</code>', both) == [
        ("changed", "draft"),
        ("removed", "approved"),
    ]
    assert "a better post" in both


def test_no_write_routes_without_graph_or_read_only(store: Store) -> None:
    saver, app, _ = store
    for made in (
        create_app(saver, read_only=False, token=None),
        create_app(saver, graph=app, read_only=True, token=None),
    ):
        client = TestClient(made)
        latest = _ids(saver, PAUSED)[0]
        html = client.get(f"/step?thread_id=review-paused&checkpoint_id={latest}").text
        assert 'method="post"' not in html and "read-only" in html
        for action in ("resume", "fork", "edit", "answer"):
            assert client.post(f"/actions/{action}", data={}).status_code in (404, 405)


def test_post_without_the_csrf_token_is_refused_and_writes_nothing(
    store: Store, client: TestClient
) -> None:
    saver, _, _ = store
    before = _ids(saver, PAUSED)
    form = {"thread_id": "review-paused", "checkpoint_id": before[0], "resume": '"yes"'}
    assert client.post("/actions/answer", data=form).status_code == 403
    assert client.post("/actions/answer", data={**form, "csrf": "guess"}).status_code == 403
    assert _ids(saver, PAUSED) == before


def test_answer_an_interrupt(store: Store, client: TestClient) -> None:
    saver, app, _ = store
    latest = _ids(saver, PAUSED)[0]
    page = client.get(f"/step?thread_id=review-paused&checkpoint_id={latest}").text
    form = {"csrf": _csrf(page), "thread_id": "review-paused", "checkpoint_id": latest}
    done = client.post("/actions/answer", data={**form, "resume": '"yes"'})
    assert done.status_code == 200 and "approved" in done.text  # followed the 303 to the new step
    assert app.get_state(PAUSED).values["approved"] is True
    assert app.get_state(PAUSED).next == ()


def test_fork_edit_and_resume(store: Store, client: TestClient) -> None:
    saver, app, _ = store
    ids = _ids(saver, FORKED)
    page = client.get(f"/step?thread_id=review-forked&checkpoint_id={ids[0]}").text
    form = {"csrf": _csrf(page), "thread_id": "review-forked"}
    edited = client.post(
        "/actions/edit",
        data={**form, "checkpoint_id": ids[0], "values": '{"topic": "owls"}', "as_node": "write"},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    assert app.get_state(FORKED).values["topic"] == "owls"
    bad = client.post("/actions/edit", data={**form, "checkpoint_id": ids[0], "values": "{oops"})
    assert bad.status_code == 400 and "is not JSON" in bad.text
    step0 = next(i for i in saver.list(FORKED) if i.metadata["step"] == 0).checkpoint.id
    forked = client.post("/actions/fork", data={**form, "checkpoint_id": step0})
    assert forked.status_code == 200
    latest = saver.get_tuple(FORKED)
    assert latest is not None and latest.parent_config is not None
    assert app.get_state(FORKED).next == ("review",)  # ran write again, paused at review
    resumed = client.post("/actions/resume", data={**form, "checkpoint_id": step0})
    assert resumed.status_code == 200
    assert app.get_state(FORKED).next == (
        "review",
    )  # an interrupt waits for an answer, not a resume


def test_token_is_needed_on_every_request(store: Store) -> None:
    saver, _, _ = store
    client = TestClient(create_app(saver, read_only=True, token="s3cret"))
    assert client.get("/").status_code == 401
    assert client.get("/static/htmx.min.js").status_code == 401
    assert client.get("/?token=wrong").status_code == 401
    first = client.get("/?token=s3cret")
    assert first.status_code == 200 and "HttpOnly" in first.headers["set-cookie"]
    assert client.get("/thread?thread_id=joke-0").status_code == 200  # the cookie now
    client.cookies.clear()
    assert client.get("/thread?thread_id=joke-0").status_code == 401


def test_a_rare_filter_pages_in_bounded_scans(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_reads, "SCAN", 2)  # read two threads per page
    url, found, pages = "/?m=user%3Dann", [], 0
    while url:
        html = client.get(url).text
        found += _threads_on(html)
        pages += 1
        assert "Filtered 2 threads" in html
        link = re.search(r'class="next-page" href="([^"]+)"', html)
        url = link.group(1).replace("&amp;", "&") if link else ""
    assert found == ["joke-2", "joke-0"]
    assert pages == 3  # six threads, two per scan


def test_a_huge_state_renders_its_first_items(tmp_path: Path) -> None:
    graph = StateGraph(Big)
    graph.add_node("fill", lambda s: {"items": list(range(50_000))})
    graph.add_node("bump", lambda s: {"items": [i + 1 for i in s["items"]]})
    graph.add_edge(START, "fill")
    graph.add_edge("fill", "bump")
    with SqliteSaver.from_conn_string(str(tmp_path / "big.db")) as saver:
        app = graph.compile(checkpointer=saver)
        app.invoke({"n": 0}, {"configurable": {"thread_id": "big"}})
        latest = saver.get_tuple({"configurable": {"thread_id": "big"}})
        assert latest is not None
        client = TestClient(create_app(saver, graph=app, read_only=True, token=None))
        html = client.get(f"/step?thread_id=big&checkpoint_id={latest.checkpoint.id}").text
        assert "… 49900 more items" in html and "more characters: open raw JSON" in html
        assert len(html) < 300_000
        diff = client.get(f"/diff?thread_id=big&b={latest.checkpoint.id}").text
        assert "… 49500 more changes" in diff and len(diff) < 300_000  # each item changed
        full = client.get(f"/state.json?thread_id=big&checkpoint_id={latest.checkpoint.id}")
        assert len(full.json()["values"]["items"]) == 50_000


def test_answer_one_of_two_interrupts_by_id(tmp_path: Path) -> None:
    from tests.inspector.flows import two_questions

    config = {"configurable": {"thread_id": "two"}}
    with SqliteSaver.from_conn_string(str(tmp_path / "two.db")) as saver:
        app = two_questions.compile(checkpointer=saver)
        app.invoke({"answers": []}, config)
        latest = app.get_state(config)
        client = TestClient(create_app(saver, graph=app, read_only=False, token=None))
        checkpoint_id = latest.config["configurable"]["checkpoint_id"]
        page = client.get(f"/step?thread_id=two&checkpoint_id={checkpoint_id}").text
        ids = re.findall(r'name="interrupt_id" value="([^"]+)"', page)
        assert len(ids) == 2 and "question a" in page and "question b" in page
        question_b = next(i.id for i in latest.interrupts if i.value == "question b")
        form = {"csrf": _csrf(page), "thread_id": "two", "checkpoint_id": checkpoint_id}
        done = client.post(
            "/actions/answer", data={**form, "interrupt_id": question_b, "resume": '"ok"'}
        )
        assert done.status_code == 200
        after = app.get_state(config)
        assert after.values["answers"] == ["b:ok"]
        assert [i.value for i in after.interrupts] == ["question a"]  # still waits


def test_host_names_are_parsed_with_ports_and_ipv6() -> None:
    from cairngraph.inspector._security import _host_name

    assert _host_name("127.0.0.1:8765") == "127.0.0.1"
    assert _host_name("[::1]:8765") == "::1"
    assert _host_name("localhost") == "localhost"
    assert _host_name("::1") == "::1"


def test_an_error_is_shown_and_the_thread_resumes_after_an_edit(tmp_path: Path) -> None:
    from tests.inspector.flows import fragile

    config = {"configurable": {"thread_id": "f"}}
    with SqliteSaver.from_conn_string(str(tmp_path / "f.db")) as saver:
        app = fragile.compile(checkpointer=saver)
        with pytest.raises(ValueError, match="cannot check"):
            app.invoke({"topic": "boom"}, config)
        client = TestClient(create_app(saver, graph=app, read_only=False, token=None))
        assert '<span class="badge error">error</span>' in client.get("/thread?thread_id=f").text
        latest = app.get_state(config).config["configurable"]["checkpoint_id"]
        page = client.get(f"/step?thread_id=f&checkpoint_id={latest}").text
        assert "Errors" in page and "cannot check topic" in page
        form = {"csrf": _csrf(page), "thread_id": "f", "checkpoint_id": latest}
        again = client.post("/actions/resume", data=form)
        assert again.status_code == 500 and "ValueError: cannot check topic" in again.text
        edited = client.post("/actions/edit", data={**form, "values": '{"topic": "fine"}'})
        assert edited.status_code == 200 and app.get_state(config).next == ("check",)
        newest = app.get_state(config).config["configurable"]["checkpoint_id"]
        done = client.post("/actions/resume", data={**form, "checkpoint_id": newest})
        assert done.status_code == 200
        assert app.get_state(config).values == {"topic": "fine", "checked": True}


def test_several_metadata_filters_all_apply(client: TestClient) -> None:
    html = client.get("/?m=user%3Dann&m=n%3D2&m=").text
    assert _threads_on(html) == ["joke-2"]
    assert html.count('name="m"') == 3  # the two filters, and a blank one for another


def test_the_pages_on_postgresql() -> None:
    from cairngraph.checkpoint.postgres import PostgresSaver
    from tests.inspector.flows import fill
    from tests.postgres_server import fresh_schema, schema_url

    with (
        fresh_schema() as (server, schema),
        PostgresSaver.from_conn_string(schema_url(server, schema)) as saver,
    ):
        saver.setup()
        app = fill(saver, jokes=2)
        client = TestClient(create_app(saver, graph=app, read_only=False, token=None))
        assert _threads_on(client.get("/").text)[:3] == [
            "review-paused",
            "review-forked",
            "review-done",
        ]
        timeline = client.get("/thread?thread_id=review-forked").text
        assert "branch from step 1" in timeline
        latest = _ids(saver, PAUSED)[0]
        page = client.get(f"/step?thread_id=review-paused&checkpoint_id={latest}").text
        assert "publish?" in page and 'class="node next" data-node="review"' in page
        form = {"csrf": _csrf(page), "thread_id": "review-paused", "checkpoint_id": latest}
        assert client.post("/actions/answer", data={**form, "resume": '"yes"'}).status_code == 200
        assert app.get_state(PAUSED).values["approved"] is True


def test_a_thread_id_with_url_characters_survives_every_link(store: Store) -> None:
    saver, app, _ = store
    odd = "team a/b&c?d=1#x"
    config = {"configurable": {"thread_id": odd}}
    app.invoke({"topic": "odd"}, config)
    client = TestClient(create_app(saver, graph=app, read_only=False, token=None))
    listing = client.get("/?q=team").text
    link = re.search(r'class="thread-link" href="([^"]+)"', listing)
    assert link is not None
    timeline = client.get(link.group(1).replace("&amp;", "&")).text
    assert "team a/b&amp;c?d=1#x" in timeline
    step_link = re.search(r'class="step-link" href="([^"]+)"', timeline)
    assert step_link is not None
    page = client.get(step_link.group(1).replace("&amp;", "&")).text
    assert "publish?" in page
    latest = _ids(saver, config)[0]
    form = {"csrf": _csrf(page), "thread_id": odd, "checkpoint_id": latest, "resume": '"yes"'}
    assert client.post("/actions/answer", data=form).status_code == 200
    assert app.get_state(config).values["approved"] is True
