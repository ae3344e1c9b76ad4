"""The backend's protections, configured from Reflex's own settings (backend path, origins).

`chat_app.py` puts `transformers()` around the backend, calls `restrict_socket(app)` and
registers `prepare_data_folder` as a lifespan task; everything that reads Reflex's config
for them lives here so the guards themselves stay plain ASGI and testable alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex.utils import prerequisites
from reflex_base import constants
from reflex_base.config import get_config
from reflex_base.environment import environment

from chat_app.http.origin_guard import ASGIApp, OriginPolicy, origin_guard
from chat_app.http.security_headers import security_headers
from chat_app.http.upload_guard import upload_guard
from chat_app.services import data_folder
from chat_app.settings import SETTINGS


def origin_policy() -> OriginPolicy:
    """The request's own host plus REFLEX_CORS_ALLOWED_ORIGINS (rxconfig's default: none)."""
    return OriginPolicy(get_config().cors_allowed_origins)


def transformers(limit_bytes: int) -> list[Callable[[ASGIApp], ASGIApp]]:
    """The ASGI wrappers, innermost first, for `rx.App(api_transformer=[...])`.

    Args:
        limit_bytes: The upload size limit.

    Returns:
        The upload guard (at Reflex's real upload path, backend path included), the
        Origin check, and the security headers outermost (so refusals carry them too).
    """
    config = get_config()
    upload_path = config.prepend_backend_path(str(constants.Endpoint.UPLOAD))
    # The compiled frontend that `--single-port` serves (reflex.utils.exec.get_frontend_mount).
    static_dir = (
        prerequisites.get_web_dir() / constants.Dirs.STATIC / config.frontend_path.strip("/")
    )
    return [
        upload_guard(limit_bytes, upload_path),
        origin_guard(origin_policy()),
        security_headers(static_dir),
    ]


def restrict_socket(app: rx.App) -> None:
    """Give python-engineio the same Origin rule as the ASGI guard (defence in depth).

    Reflex hands engineio `cors_allowed_origins` as a plain list, which would refuse the
    page's own host whenever a list is configured; the callable form decides per request.

    Args:
        app: The app, after `rx.App(...)` created its Socket.IO server.
    """
    policy = origin_policy()
    server: Any = app.sio
    if server is not None:
        server.eio.cors_allowed_origins = policy.engineio_check


def prepare_data_folder() -> None:
    """Lifespan task, before serving, in every worker: private data out of served folders."""
    data_folder.prepare_data_folder(
        SETTINGS, served_dirs=[environment.REFLEX_UPLOADED_FILES_DIR.get().resolve()]
    )
