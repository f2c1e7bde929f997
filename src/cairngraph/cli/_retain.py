"""``cairn prune`` (shrink named threads) and ``cairn sweep`` (apply a retention policy).

Both are the savers' lifecycle operations (``checkpoint/_lifecycle.py``):
``prune`` is ``saver.prune(threads, strategy=...)``, ``sweep`` is
``saver.sweep(RetentionPolicy(...))``. Invariants:

- Nothing is removed before the store is checked read-only and, unless
  ``--yes``, the user said yes to what was counted; declining exits 1.
- A run holding a thread is waited for (``--wait`` seconds), never cut
  short: ``prune`` then fails in one line naming the thread, ``sweep`` skips
  it and lists it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import click

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.retention import RetentionPolicy
from cairngraph.cli._app import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    CliError,
    emit_json,
    json_option,
    opened,
    store_options,
)

__all__ = ["duration", "prune", "sweep"]

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def duration(text: str | None, option: str) -> timedelta | None:
    """``30d``, ``12h``, ``90m``, ``45s`` or ``2w`` as a timedelta (None stays None).

    Example::

        duration("30d", "--ttl")   # timedelta(days=30)
    """
    if text is None:
        return None
    found = _DURATION.match(text)
    if found is None:
        raise CliError(
            f"{option} {text!r} is not a duration: write a number and a unit, e.g. 30d, 12h, "
            "90m, 45s or 2w",
            EXIT_USAGE,
        )
    return timedelta(**{_UNITS[found.group(2)]: float(found.group(1))})


def _counts(saver: BaseCheckpointSaver, threads: tuple[str, ...]) -> dict[str, int]:
    return {
        thread: sum(1 for _ in saver.list({"configurable": {"thread_id": thread}}))
        for thread in threads
    }


@click.command()
@click.argument("threads", nargs=-1, required=True)
@click.option("--delete", "delete_all", is_flag=True, help="Delete the threads whole instead.")
@click.option("--yes", "-y", is_flag=True, help="Prune without asking.")
@click.option(
    "--wait", default=5.0, show_default=True, help="Seconds to wait for a run holding a thread."
)
@store_options
@json_option
def prune(
    threads: tuple[str, ...],
    delete_all: bool,
    yes: bool,
    wait: float,
    db: str | None,
    as_json: bool,
) -> None:
    """Shrink threads to their latest checkpoint (or delete them), freeing their space.

    Keeps each namespace's newest checkpoint, its pending writes and every value
    it needs; the thread resumes from there as before.

    Example: cairn --db data/jokes.db prune jokes-1 jokes-2 --yes
    """
    with opened(db, read_only=True) as saver:
        before = _counts(saver, threads)
    missing = [thread for thread, count in before.items() if count == 0]
    if missing:
        raise CliError(
            f"no such thread: {', '.join(missing)}; list them with: cairn threads", EXIT_PROBLEMS
        )
    what = "delete" if delete_all else "prune to their latest checkpoint"
    total = sum(before.values())
    if not yes and not click.confirm(
        f"{what} {len(threads)} thread(s) holding {total} checkpoint(s)?", default=False, err=True
    ):
        raise CliError("nothing was pruned", EXIT_PROBLEMS)
    with opened(db, read_only=False) as saver:
        saver.prune(list(threads), strategy="delete" if delete_all else "keep_latest", wait=wait)
        after = _counts(saver, threads)
    rows = [
        {"thread_id": thread, "before": before[thread], "after": after[thread]}
        for thread in threads
    ]
    if as_json:
        emit_json({"threads": rows})
        return
    for row in rows:
        click.echo(f"{row['thread_id']}: {row['before']} -> {row['after']} checkpoint(s)")


@click.command()
@click.option("--keep-last", type=int, default=None, help="Keep each thread's newest N.")
@click.option("--max-age", default=None, metavar="AGE", help="Drop checkpoints older (30d).")
@click.option("--ttl", default=None, metavar="AGE", help="Delete threads idle longer (90d).")
@click.option("--yes", "-y", is_flag=True, help="Sweep without asking.")
@click.option(
    "--wait", default=0.0, show_default=True, help="Seconds to wait for a run holding a thread."
)
@store_options
@json_option
def sweep(
    keep_last: int | None,
    max_age: str | None,
    ttl: str | None,
    yes: bool,
    wait: float,
    db: str | None,
    as_json: bool,
) -> None:
    """Apply a retention policy to every thread of the store.

    --keep-last N keeps each namespace's newest N checkpoints; --max-age drops
    older checkpoints (the newest of each namespace stays); --ttl deletes whole
    threads whose newest checkpoint is older. Threads a run holds are skipped.

    Example: cairn --db data/jokes.db sweep --keep-last 20 --ttl 90d --yes
    """
    policy = RetentionPolicy(
        keep_last=keep_last, max_age=duration(max_age, "--max-age"), ttl=duration(ttl, "--ttl")
    )
    with opened(db, read_only=True):
        pass  # a missing or foreign store is refused before anything is asked
    if not yes and not click.confirm(
        f"apply {policy} to every thread of the store?", default=False, err=True
    ):
        raise CliError("nothing was swept", EXIT_PROBLEMS)
    with opened(db, read_only=False) as saver:
        report = saver.sweep(policy, wait=wait)
    result = {
        "threads_deleted": report.threads_deleted,
        "checkpoints_deleted": report.checkpoints_deleted,
        "busy": list(report.busy),
    }
    if as_json:
        emit_json(result)
        return
    click.echo(
        f"deleted {report.threads_deleted} thread(s) and {report.checkpoints_deleted} "
        "checkpoint(s)"
        + (f"; skipped, a run held them: {', '.join(report.busy)}" if report.busy else "")
    )
