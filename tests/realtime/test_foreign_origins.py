"""Foreign sites and a backend path, against the real backend.

A page on another site must not reach `/_event` (a browser sends its Origin; websockets
get no CORS protection of their own) nor read answers through CORS, while the page's own
host and the configured origins work. With `REFLEX_BACKEND_PATH=/api` Reflex serves its
upload folder at `/api/_upload/`: nothing there is reachable, and the upload limit holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.realtime.conftest import Backend
from tests.support.live_app import REFLEX, free_port, migrated_environment, server_process

FOREIGN = "http://evil.example"
LISTED = "http://chat-static.example:8080"


async def open_socket(base_url: str, path: str, origin: str | None) -> str:
    """The first frame of an Engine.IO websocket opened with `origin` (raises if refused)."""
    url = base_url.replace("http", "ws", 1) + path + "/?EIO=4&transport=websocket"
    async with websockets.connect(url, origin=origin) as socket:  # type: ignore[arg-type]
        return str(await socket.recv())


async def refused_status(base_url: str, path: str, origin: str) -> int:
    with pytest.raises(InvalidStatus) as refused:
        await open_socket(base_url, path, origin)
    return refused.value.response.status_code


async def test_a_foreign_origin_is_refused_on_the_event_socket(backend: Backend):
    assert await refused_status(backend.url, "/_event", FOREIGN) == 403
    assert await refused_status(backend.url, "/_event", "null") == 403
    # The page's own host (whatever name reached the server), and no Origin (not a page).
    assert (await open_socket(backend.url, "/_event", backend.url)).startswith("0{")
    assert (await open_socket(backend.url, "/_event", None)).startswith("0{")


async def test_a_foreign_origin_gets_no_cors_answer_and_no_data(backend: Backend):
    async with httpx.AsyncClient(base_url=backend.url, timeout=10) as client:
        preflight = await client.options(
            "/_upload",
            headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in preflight.headers
        refused = await client.get("/ping", headers={"Origin": FOREIGN})
        assert refused.status_code == 403
        assert "access-control-allow-origin" not in refused.headers
        own = await client.get("/ping", headers={"Origin": backend.url})
        assert own.status_code == 200


@pytest.fixture(scope="module")
def backend_under_api(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A backend with REFLEX_BACKEND_PATH=/api, a listed origin and a canary in its
    upload folder; yields its URL and that folder."""
    workdir = tmp_path_factory.mktemp("backend-path")
    served = workdir / "served"
    served.mkdir()
    (served / "canary.txt").write_text("must not be served")
    env, log = migrated_environment(
        workdir,
        REFLEX_BACKEND_PATH="/api",
        REFLEX_UPLOADED_FILES_DIR=str(served),
        REFLEX_CORS_ALLOWED_ORIGINS=LISTED,
        CHAT_MAX_UPLOAD_MB="1",
    )
    port = free_port()
    args = [REFLEX, "run", "--env", "prod", "--backend-only"]
    args += ["--backend-host", "127.0.0.1", "--backend-port", str(port)]
    with server_process(args, f"http://127.0.0.1:{port}/api/ping", env, log):
        yield f"http://127.0.0.1:{port}", served


async def test_under_a_backend_path_reflex_s_upload_folder_is_closed(backend_under_api):
    url, _ = backend_under_api
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        for path in ("/api/_upload/canary.txt", "/_upload/canary.txt", "/api/_upload//canary.txt"):
            assert (await client.get(path)).status_code == 404, path
            assert (await client.head(path)).status_code == 404, path
    # A client of its own, so a fresh connection: the server may close a connection after
    # a refusal, and a pooled keep-alive reuse then read nothing (seen 2 runs in ~40).
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        small = await client.post(
            "/api/_upload", files={"files": ("a.txt", b"hello", "text/plain")}
        )
        assert small.status_code != 413
    # Declare 2 MB (the limit is 1 MB), send only the headers: 413 comes without the body.
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        (
            "POST /api/_upload HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {2 * 1024 * 1024}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    assert status_line.split()[1] == b"413"


async def test_a_listed_origin_and_the_own_host_both_reach_the_socket(backend_under_api):
    url, _ = backend_under_api
    # engineio alone would accept only the listed origin: the app gives it the same rule.
    assert (await open_socket(url, "/api/_event", LISTED)).startswith("0{")
    assert (await open_socket(url, "/api/_event", url)).startswith("0{")
    assert await refused_status(url, "/api/_event", FOREIGN) == 403
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        listed = await client.options(
            "/api/_upload",
            headers={"Origin": LISTED, "Access-Control-Request-Method": "POST"},
        )
        assert listed.headers.get("access-control-allow-origin") == LISTED
