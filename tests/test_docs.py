"""Every example in docs/ is real: its code is the example file, its output is what it prints.

A page marks an example with ``<!-- example: examples/tutorial/name.py -->``,
followed by a ```python block (the file, verbatim) and a ```text block (its
output, with ids and timestamps written as <id> and <time>). The test runs
each example and compares. After changing an example, regenerate the pages:

    UPDATE_DOCS=1 python -m pytest tests/test_docs.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
MARK = re.compile(
    r"<!-- example: (?P<path>\S+) -->\n```python\n(?P<code>.*?)```\n\nOutput:\n\n```text\n"
    r"(?P<output>.*?)```",
    re.S,
)
VOLATILE = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<id>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00"), "<time>"),
]


def run_example(path: str) -> str:
    # The tree under test first (not whichever cairngraph the interpreter has installed).
    paths = [ROOT / "src", ROOT, ROOT / "tests/examples/stubs"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(path) for path in paths)}
    env.pop("GROQ_API_KEY", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{path} failed:\n{done.stderr}"
    text = done.stdout
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def examples() -> list[tuple[Path, str]]:
    return [(page, m["path"]) for page in DOCS for m in MARK.finditer(page.read_text())]


@pytest.mark.parametrize(("page", "path"), examples(), ids=lambda v: str(v).split("/")[-1])
def test_documented_example_runs_as_shown(page: Path, path: str) -> None:
    text = page.read_text()
    match = next(m for m in MARK.finditer(text) if m["path"] == path)
    code = (ROOT / path).read_text()
    output = run_example(path)
    if os.environ.get("UPDATE_DOCS"):
        fresh = f"<!-- example: {path} -->\n```python\n{code}```\n\nOutput:\n\n```text\n{output}```"
        page.write_text(text[: match.start()] + fresh + text[match.end() :])
        return
    assert match["code"] == code, f"{page.name}: the code shown is not {path}"
    assert match["output"] == output, f"{page.name}: {path} no longer prints what is shown"


def test_every_tutorial_example_is_documented() -> None:
    documented = {path for _, path in examples()}
    files = {f"examples/tutorial/{p.name}" for p in (ROOT / "examples/tutorial").glob("s*.py")}
    assert files <= documented, files - documented


def test_readme_shows_the_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:15])
    assert "make demo" in first_screen and "make test" in first_screen
