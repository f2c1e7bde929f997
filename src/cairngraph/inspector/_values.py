"""State values as JSON for display, and the nested difference between two states.

Invariants: :func:`to_json` never fails on a value a saver gave back — a type
it does not know is shown as its ``repr`` (display only: nothing shown here is
ever read back as data). :func:`diff` compares two such JSON values key by key,
recursing into objects and lists, and lists every difference with its path.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import decimal
import enum
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Change", "diff", "dumps", "parse_json", "to_json"]

Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]


def to_json(value: Any) -> Json:
    """``value`` as plain JSON data; objects keep their type name under ``"__type__"``.

    Example::

        to_json({"when": datetime.date(2026, 1, 2), "tags": {"a"}})
        # {"when": "2026-01-02", "tags": ["a"]}
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else repr(value)
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, set | frozenset):
        return [to_json(item) for item in sorted(value, key=repr)]
    return _object(value)


def _object(value: Any) -> Json:
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal | datetime.timedelta):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return {"__type__": "bytes", "base64": base64.b64encode(bytes(value)).decode()}
    fields: Mapping[str, Any] | None = None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif callable(getattr(value, "model_dump", None)):
        dumped = value.model_dump()
        fields = dumped if isinstance(dumped, Mapping) else {"value": dumped}
    if fields is None:
        return repr(value)
    return {"__type__": type(value).__name__, **{k: to_json(v) for k, v in fields.items()}}


def dumps(value: Json) -> str:
    """Indented JSON text of a :func:`to_json` result."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


def parse_json(text: str) -> Any:
    """A form field's JSON; a ``json.JSONDecodeError`` says where it is malformed."""
    return json.loads(text)


@dataclass(frozen=True, slots=True)
class Change:
    """One difference at ``path`` (keys and indexes): ``added``, ``removed`` or ``changed``."""

    path: tuple[str | int, ...]
    kind: Literal["added", "removed", "changed"]
    old: Json = None
    new: Json = None

    @property
    def where(self) -> str:
        """The path as ``key.sub[2]``; ``(root)`` for the whole value."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text or "(root)"


def diff(old: Json, new: Json) -> list[Change]:
    """Every difference from ``old`` to ``new``, depth first, in key order.

    Example::

        diff({"a": 1, "b": [1]}, {"a": 2, "b": [1, 2]})
        # [Change(("a",), "changed", 1, 2), Change(("b", 1), "added", None, 2)]
    """
    return list(_walk((), old, new))


def _walk(path: tuple[str | int, ...], old: Json, new: Json) -> Iterator[Change]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            if key not in new:
                yield Change((*path, key), "removed", old=old[key])
            elif key not in old:
                yield Change((*path, key), "added", new=new[key])
            else:
                yield from _walk((*path, key), old[key], new[key])
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            if index >= len(new):
                yield Change((*path, index), "removed", old=old[index])
            elif index >= len(old):
                yield Change((*path, index), "added", new=new[index])
            else:
                yield from _walk((*path, index), old[index], new[index])
    elif old != new or type(old) is not type(new):
        yield Change(path, "changed", old=old, new=new)
