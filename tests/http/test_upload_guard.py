"""The /_upload guard: 413 before reading big bodies, and no public GET of the folder."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from chat_app.http.upload_guard import MULTIPART_OVERHEAD, upload_guard

LIMIT = 1000
received: list[int] = []


async def fake_upload(request: Request) -> PlainTextResponse:
    body = await request.body()
    received.append(len(body))
    return PlainTextResponse("stored")


async def fake_static(request: Request) -> PlainTextResponse:
    return PlainTextResponse("private bytes")


inner = Starlette(
    routes=[
        Route("/_upload", fake_upload, methods=["POST"]),
        Route("/_upload/{path:path}", fake_static, methods=["GET", "HEAD"]),
        Route("/other", fake_static, methods=["GET"]),
    ]
)
client = TestClient(upload_guard(LIMIT)(inner))


def test_small_uploads_pass():
    received.clear()
    response = client.post("/_upload", content=b"x" * 500)
    assert (response.status_code, response.text, received) == (200, "stored", [500])


def test_a_large_declared_length_is_refused_before_the_body_is_read():
    received.clear()
    response = client.post("/_upload", content=b"x" * (LIMIT + MULTIPART_OVERHEAD + 1))
    assert response.status_code == 413
    assert response.json()["detail"] == "file_too_large"
    assert received == []


def test_a_chunked_body_is_cut_off_when_it_passes_the_limit():
    received.clear()

    def chunks():
        for _ in range(100):
            yield b"y" * 1024

    response = client.post("/_upload", content=chunks())
    assert response.status_code == 413
    assert received == []


def test_the_upload_folder_is_not_served():
    assert client.get("/_upload/private/abc").status_code == 404
    assert client.get("/_upload/private/abc").text == "Not found"
    assert client.get("/other").text == "private bytes"


# REFLEX_BACKEND_PATH=/api: Reflex mounts the upload route and the served folder there.
api_inner = Starlette(
    routes=[
        Route("/api/_upload", fake_upload, methods=["POST"]),
        Route("/api/_upload/{path:path}", fake_static, methods=["GET", "HEAD"]),
        Route("/api/other", fake_static, methods=["GET"]),
    ]
)
api_client = TestClient(upload_guard(LIMIT, "/api/_upload")(api_inner))


def test_under_a_backend_path_the_upload_folder_is_not_served():
    for path in ("/api/_upload/.secret_key", "/api/_upload/private/abc", "/api/_upload//x"):
        assert api_client.get(path).status_code == 404
        assert api_client.head(path).status_code == 404
    assert api_client.get("/api/other").text == "private bytes"


def test_under_a_backend_path_the_upload_limit_holds():
    received.clear()
    assert api_client.post("/api/_upload", content=b"x" * 500).text == "stored"
    response = api_client.post("/api/_upload", content=b"x" * (LIMIT + MULTIPART_OVERHEAD + 1))
    assert response.status_code == 413
    assert received == [500]


def test_the_guard_takes_its_path_from_reflex_s_backend_path():
    from reflex_base.config import Config

    config = Config(app_name="chat_app", backend_path="api")
    upload_path = config.prepend_backend_path("/_upload")
    assert upload_path == "/api/_upload"
    guarded = TestClient(upload_guard(LIMIT, upload_path)(api_inner))
    assert guarded.get("/api/_upload/.secret_key").status_code == 404
