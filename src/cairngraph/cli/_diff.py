"""What changed between two states, key by key and into nested values.

Invariants:

- :func:`diff` is pure: it compares two mappings and returns every change, in
  a stable order (keys sorted, list items by index).
- A list whose new value starts with the whole old one is an *append* (one
  change listing the new items), the common case of message lists; other
  lists of equal length are compared item by item; any other list change is
  one *changed* entry.
- Paths are lists of keys and indexes from the top of the state, so they read
  the same in JSON and in a table (``messages[3].content``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Change", "diff", "path_text"]

Kind = Literal["added", "removed", "changed", "appended"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One difference: at ``path``, ``old`` became ``new``.

    ``added`` has no ``old``; ``removed`` has no ``new``; ``appended`` has the
    appended items as ``new``.

    Example::

        diff({"n": 1}, {"n": 2})   # [Change(path=("n",), kind="changed", old=1, new=2)]
    """

    path: tuple[str | int, ...]
    kind: Kind
    old: Any = None
    new: Any = None


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new`` (see the module docstring)."""
    changes: list[Change] = []
    _mapping((), old, new, changes)
    return changes


def _mapping(
    path: tuple[str | int, ...], old: Mapping[Any, Any], new: Mapping[Any, Any], out: list[Change]
) -> None:
    for key in sorted(set(old) | set(new), key=str):
        here = (*path, key)
        if key not in new:
            out.append(Change(path=here, kind="removed", old=old[key]))
        elif key not in old:
            out.append(Change(path=here, kind="added", new=new[key]))
        else:
            _value(here, old[key], new[key], out)


def _value(path: tuple[str | int, ...], old: Any, new: Any, out: list[Change]) -> None:
    if type(old) is type(new) and old == new:
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        _mapping(path, old, new, out)
    elif isinstance(old, list) and isinstance(new, list):
        _list(path, old, new, out)
    else:
        out.append(Change(path=path, kind="changed", old=old, new=new))


def _list(path: tuple[str | int, ...], old: list[Any], new: list[Any], out: list[Change]) -> None:
    if len(new) > len(old) and new[: len(old)] == old:
        out.append(Change(path=path, kind="appended", new=new[len(old) :]))
    elif len(new) == len(old):
        for index, (before, after) in enumerate(zip(old, new, strict=True)):
            _value((*path, index), before, after, out)
    else:
        out.append(Change(path=path, kind="changed", old=old, new=new))


def path_text(path: tuple[str | int, ...]) -> str:
    """``("messages", 3, "content")`` as ``messages[3].content``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
