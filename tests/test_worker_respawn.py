"""With `REFLEX_USE_GRANIAN=true`, `reflex run` makes granian respawn a failed worker.

(chat_app/worker_respawn.py; by default the backend runs on gunicorn, whose arbiter does it.)

The live proof is tests/realtime/test_worker_crash_live.py; these check the parts it rests
on, quickly: the installed Reflex still looks granian's server up when it starts it, and
the server a `reflex run` process builds has the option on (or off when asked).
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import pytest

from chat_app.worker_respawn import VARIABLE, respawn_wanted
from tests.support.live_app import PROJECT_DIR

# What `reflex run` does in this process: load rxconfig.py, then build granian's server the
# way reflex/utils/exec.py's run_granian_backend_prod does (the options it passes).
_BUILD_SERVER = """
import json, sys
sys.argv = ["reflex", "run", "--env", "prod", "--backend-only"]
import rxconfig
from granian.constants import Interfaces
from granian.server import Server
server = Server(target="chat_app.chat_app:app", factory=True, address="127.0.0.1",
                port=8000, interface=Interfaces.ASGI, workers=2)
print(json.dumps(server.respawn_failed_workers))
"""


def respawns_in_reflex_run(**extra: str) -> bool:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {VARIABLE, "GRANIAN_WORKERS", "REFLEX_REDIS_URL", "REFLEX_USE_GRANIAN"}
    }
    # Granian runs only when asked for (chat_app/backend_server.py).
    extra = {"REFLEX_USE_GRANIAN": "true", **extra}
    result = subprocess.run(
        [sys.executable, "-c", _BUILD_SERVER],
        cwd=PROJECT_DIR,
        env={**env, **extra},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_reflex_looks_granians_server_up_when_it_starts_the_backend():
    from reflex.utils import exec as reflex_exec

    # The subclass rxconfig.py installs is found only because this import runs at start.
    source = inspect.getsource(reflex_exec.run_granian_backend_prod)
    assert "from granian.server import Server as Granian" in source
    assert "respawn_failed_workers" not in source  # else the patch would be unnecessary


def test_the_server_reflex_run_builds_respawns_failed_workers():
    assert respawns_in_reflex_run() is True


def test_on_gunicorn_granian_is_left_alone():
    assert respawns_in_reflex_run(REFLEX_USE_GRANIAN="false") is False


def test_the_variable_granians_command_line_reads_turns_it_off():
    assert respawns_in_reflex_run(**{VARIABLE: "false"}) is False


@pytest.mark.parametrize(
    ("value", "wanted"),
    [("", True), ("1", True), ("true", True), ("0", False), (" False ", False), ("off", False)],
)
def test_only_an_explicit_no_turns_respawning_off(value: str, wanted: bool):
    assert respawn_wanted({VARIABLE: value} if value else {}) is wanted
