"""The socket pings rxconfig.py gives Reflex: a timeout load cannot trip, presence bounded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from chat_app.states.presence import GRACE_SECONDS
from tests.support.live_app import PROJECT_DIR

# What Reflex's Socket.IO server is built with (reflex/app.py reads these two), in a fresh
# process whose environment names neither: rxconfig's defaults, as production runs.
_READ_PINGS = """
import json
import rxconfig
from reflex_base.environment import environment
print(json.dumps([
    environment.REFLEX_SOCKET_INTERVAL.get().total_seconds(),
    environment.REFLEX_SOCKET_TIMEOUT.get().total_seconds(),
]))
"""


def production_pings() -> tuple[float, float]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REFLEX_SOCKET_INTERVAL", "REFLEX_SOCKET_TIMEOUT"}
    }
    result = subprocess.run(
        [sys.executable, "-c", _READ_PINGS],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    interval, timeout = json.loads(result.stdout.strip().splitlines()[-1])
    return interval, timeout


def test_the_ping_timeout_is_one_load_cannot_trip_and_presence_stays_bounded():
    interval, timeout = production_pings()
    # A busy tab's pong waits behind its own queued frames; at 5 s python-engineio ended such
    # sessions silently under load, at 20 s the same load lost nothing.
    assert timeout >= 20
    # A silently dropped tab: the pings notice within interval + timeout, then the
    # sentinel's grace; the design's goal is a minute.
    assert interval + timeout + GRACE_SECONDS <= 60
