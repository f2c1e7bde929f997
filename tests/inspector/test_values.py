"""Display JSON and the nested diff of the inspector."""

from __future__ import annotations

import dataclasses
import datetime

from cairngraph.inspector._values import Change, diff, to_json


@dataclasses.dataclass
class Point:
    x: int
    tags: set[str]


def test_to_json_keeps_structure_and_names_types() -> None:
    value = {
        "p": Point(1, {"b", "a"}),
        "when": datetime.date(2026, 1, 2),
        "raw": b"\x00",
        "t": (1,),
    }
    assert to_json(value) == {
        "p": {"__type__": "Point", "x": 1, "tags": ["a", "b"]},
        "when": "2026-01-02",
        "raw": {"__type__": "bytes", "base64": "AA=="},
        "t": [1],
    }
    assert to_json(float("nan")) == "nan"
    assert to_json(object).startswith("<class")  # unknown: shown as its repr


def test_diff_recurses_into_objects_and_lists() -> None:
    old = {"a": 1, "n": {"deep": [1, 2], "same": "x"}, "gone": True}
    new = {"a": 1, "n": {"deep": [1, 3, 4], "same": "x"}, "new": None}
    changes = diff(old, new)
    assert changes == [
        Change(("n", "deep", 1), "changed", 2, 3),
        Change(("n", "deep", 2), "added", None, 4),
        Change(("gone",), "removed", True, None),
        Change(("new",), "added", None, None),
    ]
    assert [c.where for c in changes] == ["n.deep[1]", "n.deep[2]", "gone", "new"]
    assert diff(1, True) == [Change((), "changed", 1, True)]  # equal in Python, not the same JSON
    assert diff({"k": [1]}, {"k": [1]}) == []
