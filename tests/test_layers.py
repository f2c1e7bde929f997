"""Imports point down: the lower layers never import the layers above them.

DESIGN.md's table, from the bottom: serde and checkpoint (the data model and
the savers), the store and the cache, then the engine, then the APIs (graph,
func, prebuilt), then the tools. A module of a lower layer that imports an
upper one — at the top of the file or inside a function — is a layering bug.
Imports under ``if TYPE_CHECKING:`` are annotations only and are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).parent.parent / "src" / "cairngraph"

ABOVE = {
    "checkpoint": ("engine", "graph", "func", "prebuilt", "cli", "inspector", "store", "cache"),
    "store": ("engine", "graph", "func", "prebuilt", "cli", "inspector"),
    "cache": ("engine", "graph", "func", "prebuilt", "cli", "inspector"),
    "engine": ("graph", "func", "prebuilt", "cli", "inspector"),
}


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in (
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    )


def _walk(node: ast.AST) -> list[ast.AST]:
    found = [node]
    for child in ast.iter_child_nodes(node):
        if _is_type_checking(child):
            assert isinstance(child, ast.If)
            for other in child.orelse:
                found.extend(_walk(other))
            continue
        found.extend(_walk(child))
    return found


def _imported(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in _walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _violations(layer: str) -> list[str]:
    forbidden = tuple(f"cairngraph.{name}" for name in ABOVE[layer])
    bad = []
    for path in sorted((SOURCE / layer).rglob("*.py")):
        for line, module in _imported(path):
            if module in forbidden or module.startswith(tuple(f"{f}." for f in forbidden)):
                bad.append(f"{path.relative_to(SOURCE)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_layer_imports_point_down(layer: str) -> None:
    assert _violations(layer) == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from cairngraph.graph import StateGraph\n"
        "def f():\n    from cairngraph.engine.algo import task_id_for\n"
    )
    assert _imported(module) == [(1, "typing"), (5, "cairngraph.engine.algo")]
