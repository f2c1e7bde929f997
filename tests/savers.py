"""Every saver the test suite runs against, built from one dict of factories.

A factory takes pytest's ``tmp_path`` and returns a context manager yielding a
ready saver, cleaned up afterwards. The saver contract suite
(``tests/checkpoint/test_saver_contract.py``) and the graph behaviour tests
(``tests/graph``) both use the ``saver`` fixture defined in
``tests/conftest.py``, so adding a backend here runs all of them against it.

Each backend registers its factories in its own module (``savers_sqlite.py``,
``savers_postgres.py``, …) so backends can be added without touching this file's
neighbours; this module only collects them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.memory import InMemorySaver

SaverFactory = Callable[[Path], AbstractContextManager[BaseCheckpointSaver]]


@contextmanager
def _memory(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    yield InMemorySaver()


def _collect() -> dict[str, SaverFactory]:
    factories: dict[str, SaverFactory] = {"memory": _memory}
    import importlib.util

    for name in ("savers_sqlite", "savers_postgres"):
        # The backend modules are written by different issues; a module that
        # does not exist yet is simply not collected. A module that exists
        # but fails to import is an error, not a skip.
        if importlib.util.find_spec(f"tests.{name}") is None:
            continue
        module = importlib.import_module(f"tests.{name}")
        factories.update(module.FACTORIES)
    return factories


SAVER_FACTORIES: dict[str, SaverFactory] = _collect()
