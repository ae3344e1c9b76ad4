"""The Reflex floor peer's configuration: the app's backend settings, none of its features.

Started from this folder by `tests/load/message_floor.py` (`reflex run --env prod
--backend-only`): one gunicorn worker with uvicorn's, states in memory, as the app's
embedded profile runs.
"""

import os

import reflex as rx

# The app's own choice of backend server and its options (gunicorn + uvicorn, one worker);
# the project's folder is on PYTHONPATH.
from chat_app.backend_server import choose_backend_server

os.environ.setdefault("REFLEX_STATE_MANAGER_MODE", "memory")
os.environ.setdefault("REFLEX_SOCKET_INTERVAL", "25")
os.environ.setdefault("REFLEX_SOCKET_TIMEOUT", "20")
choose_backend_server()

config = rx.Config(
    app_name="reflex_floor",
    telemetry_enabled=False,
    plugins=[],
    disable_plugins=[rx.plugins.SitemapPlugin],
    show_built_with_reflex=False,
)
