"""Encrypted stores: cairn uses the application's keys from the environment."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from tests.cli.helpers import JOKES, as_json, invoke

KEY = {"CAIRNGRAPH_ENCRYPTION_KEY": "k1:" + base64.b64encode(os.urandom(32)).decode()}
NO_KEY = {"CAIRNGRAPH_ENCRYPTION_KEY": "", "CAIRNGRAPH_ENCRYPTION_KEYS": ""}


def test_an_encrypted_store_reads_with_its_key_and_exports_to_a_plain_one(tmp_path: Path) -> None:
    db = str(tmp_path / "secret.db")
    ran = invoke(
        "--db",
        db,
        "--graph",
        JOKES,
        "run",
        "--input",
        '{"topic": "secret owls"}',
        "--thread",
        "s",
        env=KEY,
    )
    assert ran.exit_code == 0, ran.stderr
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("secret.db*") if p.is_file())
    assert stored and b"secret owls" not in stored
    refused = invoke("--db", db, "show", "s", env=NO_KEY)
    assert refused.exit_code == 3 and refused.stderr.count("\n") == 1
    shown = as_json(invoke("--db", db, "show", "s", "--json", env=KEY))
    assert shown["values"]["topic"] == "secret owls"
    assert as_json(invoke("--db", db, "verify", "--json", env=KEY))["ok"] is True
    out = tmp_path / "plain.jsonl"
    assert invoke("--db", db, "export", "-o", str(out), env=KEY).exit_code == 0
    assert "secret owls" in out.read_text()
    plain = str(tmp_path / "plain.db")
    assert invoke("--db", plain, "import", str(out), env=NO_KEY).exit_code == 0
    assert (
        as_json(invoke("--db", plain, "show", "s", "--json", env=NO_KEY))["values"]
        == shown["values"]
    )
