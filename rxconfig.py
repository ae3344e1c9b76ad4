"""Reflex configuration: everything tunable comes from the environment via settings."""

import os
import sys

import reflex as rx

from chat_app.backend_server import choose_backend_server
from chat_app.redis_check import unreachable_reason, workers_without_redis
from chat_app.settings import SETTINGS
from chat_app.worker_respawn import respawn_failed_workers

# Socket.IO pings (an explicit environment value wins). The timeout must be one load cannot
# trip: a busy tab's pong waits behind its own queued frames, and when it misses the timeout
# python-engineio 4.15.1 closes the session without telling the client, whose following
# sends are then discarded unseen (at 5 s, 139-291 of 400 sends at 400/s were lost; at 20 s
# none). Presence still notices a silently dropped client within interval + timeout + the
# sentinel's grace (chat_app/states/presence.py): at most 48 s, not Reflex's default 145 s.
SOCKET_PING_INTERVAL_SECONDS = 25
SOCKET_PING_TIMEOUT_SECONDS = 20
os.environ.setdefault("REFLEX_SOCKET_INTERVAL", str(SOCKET_PING_INTERVAL_SECONDS))
os.environ.setdefault("REFLEX_SOCKET_TIMEOUT", str(SOCKET_PING_TIMEOUT_SECONDS))

# One worker without Redis: states live in memory. Reflex's production default, the disk
# manager, pickles every changed state for a restart, which this app does not need (every
# page load rebuilds the view from the database); it cost ~10 % of the CPU per message in
# `make bench`. With REFLEX_REDIS_URL every worker must see every tab's state: Redis, even
# if a "memory" setting was inherited (a process that loaded this file before sets it).
if not os.environ.get("REFLEX_REDIS_URL"):
    os.environ.setdefault("REFLEX_STATE_MANAGER_MODE", "memory")
else:
    os.environ["REFLEX_STATE_MANAGER_MODE"] = "redis"
    # Leases: the worker holding a tab's socket keeps the tab's state lock and an in-memory
    # copy between events (25 s, its lock renewed meanwhile: realtime/lease_keepalive.py),
    # instead of a lock, a load and a save through Redis for each event and push: a group
    # copy 2.3 -> 0.45 ms of CPU (docs/performance.md, "Opportunistic locking"). Pushes are
    # applied by that worker (realtime/push_relay.py), so a lease moves only when a tab's
    # socket does.
    os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")
if sys.argv[1:2] == ["run"]:
    # Before Reflex's own Redis check, which does not say where the address came from.
    redis_url = os.environ.get("REFLEX_REDIS_URL")
    problem = unreachable_reason(redis_url) if redis_url else workers_without_redis(os.environ)
    if problem:
        sys.exit(f"Error: {problem}")
    # Gunicorn with uvicorn's workers unless granian is asked for (chat_app/backend_server.py).
    if choose_backend_server() == "granian":
        # Granian, which this process then runs, replaces a worker that dies instead of
        # stopping every worker: only that worker's tabs reconnect (chat_app/worker_respawn.py).
        respawn_failed_workers()

config = rx.Config(
    app_name="chat_app",
    db_url=SETTINGS.database_url,
    # A private chat server must not report usage to third parties.
    telemetry_enabled=False,
    # Plugins are listed explicitly so Reflex does not guess (and warn) at compile time.
    plugins=[rx.plugins.RadixThemesPlugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
    show_built_with_reflex=False,
    # Reflex's default "*" lets CORS answers reflect any Origin. The page's own host needs
    # no CORS and is always accepted (chat_app/http/origin_guard.py); other origins (a
    # static export elsewhere, `make dev`'s page) go in REFLEX_CORS_ALLOWED_ORIGINS.
    cors_allowed_origins=[],
)
