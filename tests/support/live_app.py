"""Run the app like a deployment does, for realtime and browser tests.

The frontend is a `reflex export` static build served by a plain static server (with the
404 fallback a deployment needs for deep links); the backend is a separate
`reflex run --env prod --backend-only` process on a fresh, migrated SQLite database.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from chat_app.http.security_headers import static_host_headers
from chat_app.states.safe_text import STRICT_MARKERS_VARIABLE
from tests.support import migrated_copies

PROJECT_DIR = Path(__file__).resolve().parents[2]
REFLEX = str(Path(sys.executable).with_name("reflex"))
EXPORT_LOCK = threading.Lock()
# The session's one built export and the backend URL it was built for.
_first_export: tuple[Path, str] | None = None
PROFILE_VARIABLES = {
    "REFLEX_REDIS_URL",
    "REFLEX_STATE_MANAGER_MODE",
    "GRANIAN_WORKERS",
    "WEB_CONCURRENCY",
    "REFLEX_USE_GRANIAN",
    "GUNICORN_CMD_ARGS",
    "CHAT_AZURE_STORAGE_CONNECTION_STRING",
    "CHAT_AZURE_CONTAINER",
    # Set for the test process only (tests/conftest.py): a server's host is in its command.
    "REFLEX_BACKEND_HOST",
}


@dataclass(frozen=True)
class LiveApp:
    """URLs and data of a running app."""

    frontend_url: str
    backend_url: str
    database_url: str
    data_dir: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment the app's processes run with in tests."""
    # A profile comes only from `extra`: the caller's shell must not switch it.
    inherited = {key: value for key, value in os.environ.items() if key not in PROFILE_VARIABLES}
    env = {
        **inherited,
        "REFLEX_DB_URL": database_url,
        "CHAT_DATA_DIR": str(data_dir),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_PERF_MODE": "raise",
        "PYTHONUNBUFFERED": "1",
        # Every test registers its users from 127.0.0.1; the per-address limit has its own
        # service and state tests.
        "CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS": "1000000",
        # User text reaching Reflex's Var parser raises (chat_app/states/safe_text.py).
        STRICT_MARKERS_VARIABLE: "1",
        **extra,
    }
    if shutil.which("bun"):
        env.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    return env


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        completed = subprocess.run(
            args, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{log.read_text()[-4000:]}")


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the export: `/auth` → `auth.html`, unknown paths → `404.html` (SPA fallback).

    With `headers_to_send` (a subclass's): sent with every answer, as a static host would.
    """

    headers_to_send: dict[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.headers_to_send.items():
            self.send_header(name, value)
        super().end_headers()

    def send_head(self):  # type: ignore[override]
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        root = Path(self.directory)
        candidate = root / path.lstrip("/")
        if not (candidate.is_file() or (candidate / "index.html").is_file()):
            html = candidate.with_name(candidate.name + ".html")
            if html.is_file():
                self.path = path + ".html"
            else:
                self.path = "/404.html"
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_static(directory: Path, headers: dict[str, str] | None = None) -> Iterator[str]:
    """Serve a directory on a free loopback port (sending `headers`); yields its base URL."""
    handler_class = type("Handler", (_StaticHandler,), {"headers_to_send": headers or {}})
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def export_frontend(backend_url: str, destination: Path, env: dict[str, str], log: Path) -> None:
    """Build the static frontend pointed at `backend_url` and copy it to `destination`.

    The session's first export is built with `reflex export`; later ones are copies of it
    with the backend's address replaced: it is the only thing that differs between two
    exports (`REFLEX_API_URL` is baked into one module), and a build takes half a minute.
    """
    global _first_export
    with EXPORT_LOCK:
        if _first_export is not None:
            built, built_for = _first_export
            _copy_pointed_elsewhere(built, destination, built_for, backend_url)
            return
        _run(
            [REFLEX, "export", "--frontend-only", "--no-zip", "--env", "prod"],
            {**env, "REFLEX_API_URL": backend_url},
            log,
        )
        shutil.copytree(PROJECT_DIR / ".web" / "build" / "client", destination)
        _first_export = (destination, backend_url)


def _copy_pointed_elsewhere(built: Path, destination: Path, built_for: str, backend_url: str):
    """Copy an export, replacing `built_for` (scheme and host:port) by `backend_url`'s."""
    shutil.copytree(built, destination)
    old = f"//{built_for.split('://', 1)[1]}".encode()
    new = f"//{backend_url.split('://', 1)[1]}".encode()
    for path in destination.rglob("*"):
        if path.suffix not in {".js", ".html"} or old not in (content := path.read_bytes()):
            continue
        content = content.replace(old, new)
        path.write_bytes(content)
        packed = path.with_name(path.name + ".gz")
        if packed.exists():
            packed.write_bytes(gzip.compress(content, mtime=0))


def wait_for_http(url: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers 200 (or fail with the process's exit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def server_process(
    args: list[str], ping_url: str, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen]:
    """Start `args` in the project directory, wait for `ping_url`, stop it afterwards."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            args,
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_http(ping_url, timeout=120, process=process)
        yield process
    except BaseException:
        print(log.read_text()[-4000:], file=sys.stderr)
        raise
    finally:
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a server and every process it started, and wait until each has exited.

    The `reflex` command exits before its workers: a worker holding 5,000 tabs went on
    for ~28 s, using most of a core, after it (and retrying the engines the caller then
    stopped). The next server measured or tested must not share the machine with it.
    """
    try:
        members = [psutil.Process(process.pid)]
        members += members[0].children(recursive=True)
    except psutil.NoSuchProcess:
        members = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    if _running(members, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for member in members:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.kill()
        _running(members, timeout)
    process.wait()


def _running(members: list[psutil.Process], timeout: float) -> bool:
    """Wait up to `timeout` s for every member to exit; whether some still run."""
    deadline = time.monotonic() + timeout
    while any(_alive(member) for member in members):
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.02)
    return False


def _alive(member: psutil.Process) -> bool:
    try:
        return member.status() != psutil.STATUS_ZOMBIE  # a zombie has exited
    except psutil.NoSuchProcess:
        return False


def backend_process(port: int, env: dict[str, str], log: Path):
    """`reflex run --env prod --backend-only` on 127.0.0.1:port (the deployment backend)."""
    args = [REFLEX, "run", "--env", "prod", "--backend-only"]
    args += ["--backend-host", "127.0.0.1", "--backend-port", str(port)]
    return server_process(args, f"http://127.0.0.1:{port}/ping", env, log)


def migrated_environment(workdir: Path, **extra: str) -> tuple[dict[str, str], Path]:
    """A fresh database and data folder under `workdir`, migrated like `make run` does.

    `extra` variables go into the environment; a REFLEX_DB_URL among them (an empty
    PostgreSQL database) replaces the SQLite file. The database is a copy of the session's
    first one so migrated (tests/support/migrated_copies.py).
    """
    return _environment(workdir, extra, afresh=False)


def freshly_migrated_environment(workdir: Path, **extra: str) -> tuple[dict[str, str], Path]:
    """`migrated_environment` with `reflex db migrate` run on this very database."""
    return _environment(workdir, extra, afresh=True)


def _environment(workdir: Path, extra: dict[str, str], afresh: bool) -> tuple[dict[str, str], Path]:
    database_url = extra.pop("REFLEX_DB_URL", f"sqlite:///{workdir / 'chat.db'}")
    data_dir = workdir / "data"
    data_dir.mkdir()
    env = app_environment(database_url, data_dir, **extra)
    log = workdir / "server.log"
    run_migration = functools.partial(_run, [REFLEX, "db", "migrate"], env, log)
    if afresh:
        run_migration()
    else:
        migrated_copies.migrate(database_url, run_migration)
    return env, log


@contextlib.contextmanager
def live_app(workdir: Path, **extra: str) -> Iterator[LiveApp]:
    """Migrate a fresh database, export the frontend, start backend and static server.

    The static server sends the security headers `python -m chat_app.http.security_headers`
    prints for the export (what the README tells static hosts to add): every browser test
    runs under that CSP. `extra` variables (the scaled profile's, say) go into the
    backend's environment.
    """
    env, log = migrated_environment(workdir, **extra)
    port = free_port()
    backend_url = f"http://127.0.0.1:{port}"
    site = workdir / "site"
    export_frontend(backend_url, site, env, log)
    with serve_static(site, static_host_headers(site, backend_url)) as frontend_url:
        # The page's origin differs from the backend's (another port), as for a static
        # host in production: it must be listed, or the backend refuses its requests.
        env = {**env, "REFLEX_CORS_ALLOWED_ORIGINS": frontend_url}
        with backend_process(port, env, log):
            yield LiveApp(
                frontend_url, backend_url, env["REFLEX_DB_URL"], Path(env["CHAT_DATA_DIR"])
            )
