"""Reflex configuration: everything tunable comes from the environment via settings."""

import os
import sys

import reflex as rx

from chat_app.redis_check import unreachable_reason, workers_without_redis
from chat_app.settings import SETTINGS

# Presence must notice a silently dropped client in seconds, not after Reflex's default
# 145 s: ping every 5 s, give up after 5 s more (an explicit environment value wins).
os.environ.setdefault("REFLEX_SOCKET_INTERVAL", "5")
os.environ.setdefault("REFLEX_SOCKET_TIMEOUT", "5")

# One worker without Redis: states live in memory. Reflex's production default, the disk
# manager, pickles every changed state for a restart, which this app does not need (every
# page load rebuilds the view from the database); it cost ~10 % of the CPU per message in
# `make bench`. With REFLEX_REDIS_URL every worker must see every tab's state: Redis, even
# if a "memory" setting was inherited (a process that loaded this file before sets it).
if not os.environ.get("REFLEX_REDIS_URL"):
    os.environ.setdefault("REFLEX_STATE_MANAGER_MODE", "memory")
else:
    os.environ["REFLEX_STATE_MANAGER_MODE"] = "redis"
if sys.argv[1:2] == ["run"]:
    # Before Reflex's own Redis check, which does not say where the address came from.
    redis_url = os.environ.get("REFLEX_REDIS_URL")
    problem = unreachable_reason(redis_url) if redis_url else workers_without_redis(os.environ)
    if problem:
        sys.exit(f"Error: {problem}")

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
