"""The PostgreSQL tests' server: ``postgres_url`` (see ``tests/postgres_server.py``)."""

from __future__ import annotations

from tests.postgres_server import postgres_url

__all__ = ["postgres_url"]
