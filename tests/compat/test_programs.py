"""Every program in ``programs/`` prints the same on LangGraph and on cairngraph.

Each program is a standalone LangGraph program (see ``runner.py``). It must run
on LangGraph without an escaping error; on cairngraph, after the import prefix
is swapped, its normalized output must equal LangGraph's. Programs listed in
``known_differences.txt`` are strict xfails: once one passes, the suite fails
until its line is removed.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path

import pytest

from tests.compat.runner import Observation, normalize, run_program

HERE = Path(__file__).parent
PROGRAMS = HERE / "programs"
KNOWN_DIFFERENCES = HERE / "known_differences.txt"


def _programs() -> list[str]:
    return sorted(
        path.relative_to(PROGRAMS).as_posix()
        for path in PROGRAMS.rglob("*.py")
        if not path.name.startswith("_")
    )


def _known_differences() -> dict[str, str]:
    """``relative/path.py  reason`` per line; blank lines and ``#`` comments are skipped."""
    found: dict[str, str] = {}
    for line in KNOWN_DIFFERENCES.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        program, _, reason = line.partition(" ")
        found[program] = reason.strip()
    return found


@functools.cache
def _on_langgraph(program: str) -> Observation:
    return run_program(PROGRAMS / program, "langgraph")


def _cases() -> list[object]:
    known = _known_differences()
    cases: list[object] = []
    for program in _programs():
        marks = []
        if program in known:
            marks.append(pytest.mark.xfail(strict=True, reason=known[program]))
        cases.append(pytest.param(program, marks=marks, id=program))
    return cases


@pytest.mark.parametrize("program", _programs())
def test_runs_on_langgraph(program: str) -> None:
    observed = _on_langgraph(program)
    assert observed.error is None, f"{program} raised on LangGraph: {observed.error}"
    assert observed.output, f"{program} printed nothing on LangGraph"


@pytest.mark.parametrize("program", _cases())
def test_same_output_as_langgraph(program: str) -> None:
    expected = normalize(_on_langgraph(program).text)
    actual = normalize(run_program(PROGRAMS / program, "cairngraph").text)
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(),
            actual.splitlines(),
            "langgraph",
            "cairngraph",
            lineterm="",
        )
        pytest.fail(f"{program} differs:\n" + "\n".join(diff), pytrace=False)


def test_known_differences_name_existing_programs() -> None:
    known = _known_differences()
    missing = sorted(set(known) - set(_programs()))
    assert not missing, f"known_differences.txt names programs that do not exist: {missing}"
    assert all(known.values()), "every known difference needs a reason"


def test_corpus_is_large_enough() -> None:
    assert len(_programs()) >= 110


def test_docs_state_the_number_of_programs() -> None:
    page = (HERE.parent.parent / "docs" / "compatibility.md").read_text()
    stated = re.search(r"`tests/compat/programs/` holds (\d+) programs", page)
    assert stated is not None, "docs/compatibility.md no longer states the corpus size"
    assert int(stated.group(1)) == len(_programs()), (
        "update the number of programs (and the per-saver table) in docs/compatibility.md"
    )
