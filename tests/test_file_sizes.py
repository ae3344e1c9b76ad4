"""No Python file of the project grows past 400 lines (docs/architecture.md, the style rules).

A long file is a sign that one module holds several concerns; the limit is checked here so a
change that crosses it fails `make test`, not a later review.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400
# The project's own code; generated folders (.web, .venv, caches) are not walked.
CHECKED = ("chat_app", "tests", "alembic")


def project_python_files() -> list[Path]:
    files = [ROOT / "rxconfig.py"]
    for folder in CHECKED:
        files.extend(path for path in (ROOT / folder).rglob("*.py"))
    return sorted(files)


def over_the_limit(paths: Iterable[Path], limit: int = MAX_LINES) -> dict[str, int]:
    """The files with more than `limit` lines, with their line counts."""
    counts = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in paths}
    return {str(path): count for path, count in counts.items() if count > limit}


def test_the_walk_finds_the_project():
    names = {path.relative_to(ROOT).as_posix() for path in project_python_files()}
    assert {"rxconfig.py", "chat_app/states/conversation.py", "tests/conftest.py"} <= names


def test_a_file_of_401_lines_is_reported_and_one_of_400_is_not(tmp_path: Path):
    at_limit, over = tmp_path / "at_limit.py", tmp_path / "over.py"
    at_limit.write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    over.write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    assert over_the_limit([at_limit, over]) == {str(over): MAX_LINES + 1}


def test_no_python_file_of_the_project_is_over_the_limit():
    assert over_the_limit(project_python_files()) == {}
