"""Granian replaces a backend worker that dies instead of stopping them all.

`reflex run --env prod` (Reflex 0.10.1) runs granian inside the `reflex run` process with
fixed options (reflex/utils/exec.py, `run_granian_backend_prod`); none reaches granian's
`respawn_failed_workers`, and granian's `Server` class reads no environment variable (only
granian's own command line does). Without it, when one worker exits (a crash, the OOM
killer), granian stops every worker and the backend exits: all tabs lose their socket
until a supervisor restarts the whole process.

Reflex imports `granian.server.Server` when it starts the server, not before, so a subclass
put there by rxconfig.py (which the `reflex run` process imports first) makes granian
respawn a failed worker: with the preloaded app it forks a replacement from the supervisor
at once, and only the dead worker's tabs reconnect. Granian still exits when the same
worker dies again within 5.5 s of its respawn (its crash-loop guard); a process supervisor
(systemd's `Restart=always`, a container restart policy) then restarts the backend.

`GRANIAN_RESPAWN_FAILED_WORKERS=false` (the variable granian's command line reads) turns
this off. tests/test_worker_respawn.py checks the patch point still exists in the
installed Reflex; tests/realtime/test_worker_crash_live.py kills a worker.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

VARIABLE = "GRANIAN_RESPAWN_FAILED_WORKERS"
_OFF = {"0", "false", "no", "off"}


def respawn_wanted(env: Mapping[str, str]) -> bool:
    """Whether failed workers are to be respawned (yes unless the variable says no).

    Args:
        env: The environment.

    Returns:
        False only for an explicit 0/false/no/off.
    """
    return env.get(VARIABLE, "").strip().lower() not in _OFF


def respawn_failed_workers(env: Mapping[str, str] = os.environ) -> bool:
    """Make the granian server Reflex starts in this process respawn a failed worker.

    Safe to call more than once.

    Args:
        env: The environment (`GRANIAN_RESPAWN_FAILED_WORKERS`).

    Returns:
        Whether respawning is on.
    """
    if not respawn_wanted(env):
        return False
    import granian.server

    server = granian.server.Server
    if getattr(server, "respawns_failed_workers", False):
        return True

    class RespawningServer(server):  # pyright: ignore[reportGeneralTypeIssues]
        """Granian's server, with `respawn_failed_workers` on unless a caller says otherwise."""

        respawns_failed_workers = True

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("respawn_failed_workers", True)
            super().__init__(*args, **kwargs)

    granian.server.Server = RespawningServer
    return True
