"""The import contracts in pyproject.toml can fail: each forbidden import breaks its contract.

Each case copies the package and pyproject.toml to a temporary folder, appends one forbidden
import to one module there, and runs the venv's `lint-imports` on the copy (a fraction of a
second each): the named contract must be reported BROKEN with that very import as the chain.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

LAYERS = "One-way layers: pages -> components -> states -> realtime -> services -> models"
NO_REFLEX = "The domain (services, models) and the leaves never import reflex"
LEAVES = "Leaf modules import nothing of the app"
COMPONENTS = "Components import states, never services, models or realtime"
CLI = "The command-line tool imports services, never states, pages or reflex"
CONTRACTS = (LAYERS, NO_REFLEX, LEAVES, COMPONENTS, CLI)

# (module file to change, import appended to it, contract it breaks, expected chain)
CASES = [
    ("components/avatar.py", "import chat_app.services", COMPONENTS, "-> chat_app.services"),
    ("components/avatar.py", "import chat_app.models", COMPONENTS, "-> chat_app.models"),
    ("components/avatar.py", "import chat_app.realtime", COMPONENTS, "-> chat_app.realtime"),
    ("i18n/zh.py", "import chat_app.models", LEAVES, "chat_app.i18n.zh -> chat_app.models"),
    ("routes.py", "import chat_app.realtime", LEAVES, "chat_app.routes -> chat_app.realtime"),
    ("settings.py", "import chat_app.i18n", LEAVES, "chat_app.settings -> chat_app.i18n"),
    ("emoji.py", "import chat_app.states", LEAVES, "chat_app.emoji -> chat_app.states"),
    ("redis_check.py", "import chat_app.settings", LEAVES, "chat_app.redis_check ->"),
    ("log_guard.py", "import chat_app.services", LEAVES, "chat_app.log_guard ->"),
    ("services/views.py", "import reflex", NO_REFLEX, "chat_app.services.views -> reflex"),
    ("models.py", "import reflex", NO_REFLEX, "chat_app.models -> reflex"),
    ("services/views.py", "import chat_app.realtime", LAYERS, "chat_app.services.views ->"),
    ("admin/cli.py", "import reflex", CLI, "chat_app.admin.cli -> reflex"),
    ("admin/cli.py", "import chat_app.states", CLI, "chat_app.admin.cli -> chat_app.states"),
    ("services/views.py", "import chat_app.admin", LAYERS, "chat_app.services.views ->"),
]


def lint_copy(tmp_path: Path, module: str | None = None, line: str = "") -> str:
    """Copy the package, optionally append `line` to `module`, and lint the copy.

    Returns:
        lint-imports' output; the caller checks the exit status through it.
    """
    shutil.copytree(
        ROOT / "chat_app", tmp_path / "chat_app", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if module is not None:
        with (tmp_path / "chat_app" / module).open("a", encoding="utf-8") as file:
            file.write(f"\n{line}  # forbidden on purpose\n")
    # Only the copy may be found as `chat_app` (lint-imports puts its working folder first).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return f"exit {result.returncode}\n{result.stdout}{result.stderr}"


def test_the_unchanged_copy_keeps_every_contract(tmp_path: Path):
    output = lint_copy(tmp_path)
    assert output.startswith("exit 0\n"), output
    for name in CONTRACTS:
        assert f"{name} KEPT" in output, output


@pytest.mark.parametrize(
    ("module", "line", "contract", "chain"),
    CASES,
    ids=[f"{module}+{line.split()[-1]}" for module, line, _, _ in CASES],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str, chain: str
):
    output = lint_copy(tmp_path, module, line)
    assert output.startswith("exit 1\n"), output
    assert f"{contract} BROKEN" in output, output
    assert chain in output, output
