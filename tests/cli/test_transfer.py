"""export / import: SQLite to PostgreSQL and back, counts and values the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cairngraph.cli._open import open_saver
from tests.cli.graphs import Order
from tests.cli.helpers import as_json, invoke, make_store

TYPED = "tests.cli.graphs:build_typed"


def contents(url: str, graph: str | None = None) -> dict[tuple[str, str, str], Any]:
    """Every checkpoint of a store: values, versions, metadata, parent and pending writes."""
    with open_saver(url, read_only=True) as saver:
        if graph:
            from cairngraph.cli._open import load_graph

            load_graph(graph, saver)
        found = {}
        for item in saver.list(None):
            configurable = item.config["configurable"]
            key = (
                configurable["thread_id"],
                configurable["checkpoint_ns"],
                configurable["checkpoint_id"],
            )
            parent = (
                item.parent_config["configurable"]["checkpoint_id"] if item.parent_config else None
            )
            found[key] = (
                dict(item.checkpoint.channel_values),
                dict(item.checkpoint.channel_versions),
                tuple(item.checkpoint.updated_channels),
                item.checkpoint.ts,
                dict(item.metadata),
                parent,
                sorted((w.task_id, w.channel, repr(w.value)) for w in item.pending_writes),
            )
        return found


def test_sqlite_to_postgres_and_back(store: str, pg_url: str, tmp_path: Path) -> None:
    exported = tmp_path / "threads.jsonl"
    result = invoke("--db", store, "export", "-o", str(exported))
    assert result.exit_code == 0, result.stderr
    lines = exported.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "cairngraph-threads" and header["version"] == 1
    assert header["threads"] == 4 and header["checkpoints"] == len(lines) - 2
    assert json.loads(lines[-1]) == {"end": True, "checkpoints": header["checkpoints"]}
    imported = as_json(invoke("--db", pg_url, "import", str(exported), "--json"))
    assert imported == {"threads": 4, "checkpoints": header["checkpoints"]}
    original = contents(store)
    assert contents(pg_url) == original
    back = tmp_path / "back.jsonl"
    assert invoke("--db", pg_url, "export", "-o", str(back)).exit_code == 0
    copy = str(tmp_path / "copy.db")
    assert invoke("--db", copy, "import", str(back)).exit_code == 0
    assert contents(copy) == original
    history = as_json(invoke("--db", copy, "history", "t1", "--json"))
    assert history == as_json(invoke("--db", store, "history", "t1", "--json"))


def test_typed_values_travel_as_typed_msgpack(tmp_path: Path) -> None:
    store = str(tmp_path / "typed.db")
    with open_saver(store, read_only=False) as saver:
        from cairngraph.cli._open import load_graph

        load_graph(TYPED, saver).invoke({"draft": "x"}, {"configurable": {"thread_id": "typed"}})
    unregistered = invoke("--db", store, "export")
    assert unregistered.exit_code == 3 and "--graph" in unregistered.stderr
    assert "Order" in unregistered.stderr and unregistered.stderr.count("\n") == 1
    out = tmp_path / "typed.jsonl"
    assert invoke("--db", store, "export", "-o", str(out)).exit_code == 3
    assert list(tmp_path.glob("typed.jsonl*")) == []  # a failed export leaves no file
    assert invoke("--db", store, "--graph", TYPED, "export", "-o", str(out)).exit_code == 0
    assert list(tmp_path.glob("typed.jsonl*")) == [out]
    text = out.read_text()
    assert '"msgpack": "' in text and "pickle" not in text
    copy = str(tmp_path / "copy.db")
    refused = invoke("--db", copy, "import", str(out))
    assert refused.exit_code == 3 and "Order" in refused.stderr
    assert invoke("--db", copy, "import", str(out), "--graph", TYPED).exit_code == 0
    assert contents(copy, TYPED) == contents(store, TYPED)
    for args in (["threads"], ["history", "typed"], ["stats"], ["show", "typed"]):
        result = invoke("--db", store, "--graph", TYPED, *args, "--json")
        assert result.exit_code == 0, (args, result.stderr)
    shown = as_json(invoke("--db", copy, "--graph", TYPED, "show", "typed", "--json"))
    assert shown["values"]["order"] == {"item": "pens", "quantity": 3}
    latest = max(contents(copy, TYPED).items(), key=lambda pair: pair[0][2])
    assert latest[1][0]["order"] == Order(item="pens", quantity=3)


def test_export_of_chosen_threads_to_stdout_and_import_from_stdin(
    store: str, tmp_path: Path
) -> None:
    result = invoke("--db", store, "export", "--thread", "t1", "--thread", "r1")
    assert result.exit_code == 0, result.stderr
    copy = str(tmp_path / "copy.db")
    imported = as_json(invoke("--db", copy, "import", "-", "--json", input=result.stdout))
    assert imported["threads"] == 2
    threads = {
        t["thread_id"] for t in as_json(invoke("--db", copy, "threads", "--json"))["threads"]
    }
    assert threads == {"t1", "r1"}
    missing = invoke("--db", store, "export", "--thread", "nope")
    assert missing.exit_code == 1 and "nope" in missing.stderr


def test_bad_files_are_refused_before_anything_is_written(store: str, tmp_path: Path) -> None:
    good = invoke("--db", store, "export").stdout.splitlines()
    target = str(tmp_path / "target.db")
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(good[:-2]) + "\n")
    result = invoke("--db", target, "import", str(cut))
    assert result.exit_code == 1 and "cut off" in result.stderr
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text('{"hello": 1}\n')
    result = invoke("--db", target, "import", str(foreign))
    assert result.exit_code == 1 and "not a cairn export" in result.stderr
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({**json.loads(good[0]), "version": 99}) + "\n")
    result = invoke("--db", target, "import", str(newer))
    assert result.exit_code == 1 and "version 99" in result.stderr
    assert invoke("--db", target, "threads", "--json").stdout.count("thread_id") == 0
    whole = tmp_path / "whole.jsonl"
    whole.write_text("\n".join(good) + "\n")
    again = invoke("--db", store, "import", str(whole))
    assert again.exit_code == 1 and "already exist" in again.stderr


def test_postgres_to_postgres_counts(pg_url: str, tmp_path: Path) -> None:
    make_store(pg_url)
    out = tmp_path / "pg.jsonl"
    assert invoke("--db", pg_url, "export", "-o", str(out)).exit_code == 0
    stats = as_json(invoke("--db", pg_url, "stats", "--json"))
    assert stats["threads"] == 4 and stats["checkpoints"] == len(out.read_text().splitlines()) - 2
    assert set(stats["bytes_by_table"]) >= {"cairn_checkpoints", "cairn_writes"}
    copy = str(tmp_path / "copy.db")
    assert invoke("--db", copy, "import", str(out)).exit_code == 0
    assert contents(copy) == contents(pg_url)
