"""What a store returns: :class:`Item` and :class:`SearchItem` (LangGraph's fields and equality).

Invariants: ``namespace`` is a tuple; ``created_at``/``updated_at`` are
datetimes (ISO text given to the constructor is parsed); two items are equal
when all five fields are; ``dict()`` is JSON-ready.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = ["Item", "SearchItem"]


def _datetime(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class Item:
    """One stored dict, where it lives and when it was written.

    Example::

        item = store.get(("users", "ann"), "prefs")
        item.value["theme"], item.namespace, item.key, item.updated_at
    """

    __slots__ = ("created_at", "key", "namespace", "updated_at", "value")

    def __init__(
        self,
        *,
        value: dict[str, Any],
        key: str,
        namespace: tuple[str, ...],
        created_at: datetime | str,
        updated_at: datetime | str,
    ) -> None:
        self.value = value
        self.key = key
        self.namespace = tuple(namespace)
        self.created_at = _datetime(created_at)
        self.updated_at = _datetime(updated_at)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Item):
            return False
        return (
            self.value == other.value
            and self.key == other.key
            and self.namespace == other.namespace
            and self.created_at == other.created_at
            and self.updated_at == other.updated_at
        )

    def __hash__(self) -> int:
        return hash((self.namespace, self.key))

    def dict(self) -> dict[str, Any]:
        """The item as JSON-ready data (namespace as a list, times as ISO text)."""
        return {
            "namespace": list(self.namespace),
            "key": self.key,
            "value": self.value,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.dict().items())
        return f"{type(self).__name__}({fields})"


class SearchItem(Item):
    """An :class:`Item` found by :meth:`BaseStore.search`; ``score`` is its cosine similarity
    to the query (None without a query, or for an item that has no vector).

    Example::

        for hit in store.search(("docs",), query="cats", limit=3):
            print(hit.key, round(hit.score, 3))
    """

    __slots__ = ("score",)

    def __init__(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: dict[str, Any],
        created_at: datetime | str,
        updated_at: datetime | str,
        score: float | None = None,
    ) -> None:
        super().__init__(
            value=value, key=key, namespace=namespace, created_at=created_at, updated_at=updated_at
        )
        self.score = score

    def dict(self) -> dict[str, Any]:
        result = super().dict()
        result["score"] = self.score
        return result
