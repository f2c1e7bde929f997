"""The stored form of ``datetime`` and ``time`` values: fixed-size fields, then the zone.

Layout (little endian)::

    datetime: year u16 | month, day, hour, minute, second u8 | microsecond u32 | fold u8 | zone
    time:                       hour, minute, second u8 | microsecond u32 | fold u8 | zone

    zone:  (nothing)                    naive
           "U"                          datetime.UTC
           "Z" key (utf-8)              zoneinfo.ZoneInfo(key)
           "O" offset µs i64 | name     datetime.timezone(offset[, name]); no name = unnamed
           "F" offset µs i64            any other tzinfo, kept as its fixed offset

Invariant: a value loads with the same wall time, fold and zone it was saved
with; the only approximation is a tzinfo class other than ``timezone`` or
``ZoneInfo`` (pytz, dateutil), which loads as its offset at that moment.
"""

from __future__ import annotations

import datetime as dt
import struct
import zoneinfo

__all__ = ["datetime_bytes", "datetime_from", "time_bytes", "time_from"]

_DATETIME = struct.Struct("<HBBBBBIB")
_TIME = struct.Struct("<BBBIB")
_OFFSET = struct.Struct("<q")
_MICRO = dt.timedelta(microseconds=1)


def datetime_bytes(value: dt.datetime) -> bytes:
    """The stored form of a datetime."""
    head = _DATETIME.pack(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        value.fold,
    )
    return head + _zone_bytes(value.tzinfo, value)


def time_bytes(value: dt.time) -> bytes:
    """The stored form of a time of day."""
    head = _TIME.pack(value.hour, value.minute, value.second, value.microsecond, value.fold)
    return head + _zone_bytes(value.tzinfo, None)


def datetime_from(data: bytes) -> dt.datetime:
    """The datetime :func:`datetime_bytes` stored."""
    year, month, day, hour, minute, second, micro, fold = _DATETIME.unpack_from(data)
    zone = _zone_from(data[_DATETIME.size :])
    return dt.datetime(year, month, day, hour, minute, second, micro, zone, fold=fold)


def time_from(data: bytes) -> dt.time:
    """The time :func:`time_bytes` stored."""
    hour, minute, second, micro, fold = _TIME.unpack_from(data)
    return dt.time(hour, minute, second, micro, _zone_from(data[_TIME.size :]), fold=fold)


def _zone_bytes(zone: dt.tzinfo | None, moment: dt.datetime | None) -> bytes:
    if zone is None:
        return b""
    if zone is dt.UTC:
        return b"U"
    if isinstance(zone, zoneinfo.ZoneInfo) and zone.key is not None:
        return b"Z" + zone.key.encode()
    offset = zone.utcoffset(moment) or dt.timedelta(0)
    micros = _OFFSET.pack(offset // _MICRO)
    if isinstance(zone, dt.timezone):
        label = zone.tzname(None)
        named = label != dt.timezone(offset).tzname(None)
        return b"O" + micros + (label.encode() if named else b"")
    return b"F" + micros


def _zone_from(data: bytes) -> dt.tzinfo | None:
    if not data:
        return None
    marker, rest = data[:1], data[1:]
    if marker == b"U":
        return dt.UTC
    if marker == b"Z":
        return zoneinfo.ZoneInfo(rest.decode())
    if marker in (b"O", b"F"):
        (micros,) = _OFFSET.unpack_from(rest)
        offset = dt.timedelta(microseconds=micros)
        name = rest[_OFFSET.size :].decode()
        return dt.timezone(offset, name) if name else dt.timezone(offset)
    raise ValueError(f"unknown zone marker {marker!r}")
