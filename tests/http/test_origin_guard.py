"""The Origin check: the request's own host (any name) and listed origins; nothing else."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from chat_app.http.origin_guard import OriginPolicy, normalise_origin, origin_guard

policy = OriginPolicy(["https://chat.example.org", "http://Static.Example:8080/", "*", "null"])


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://192.168.1.20:3000", "192.168.1.20:3000"),  # a phone on the LAN
        ("http://laptop.local:3000", "laptop.local:3000"),
        ("http://[fe80::1]:3000", "[fe80::1]:3000"),
        ("https://chat.example.org", "chat.example.org"),  # TLS ends at nginx
        ("HTTPS://Chat.Example.ORG:443", "chat.example.org:443"),
        ("http://static.example:8080", "backend.example:8000"),  # listed
        ("https://chat.example.org", "other.example"),  # listed
        (None, "anything"),  # not a page: curl, raw clients, <img>
    ],
)
def test_accepted(origin, host):
    assert policy.allows(origin, host)


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://evil.example", "192.168.1.20:3000"),
        ("http://192.168.1.20:3001", "192.168.1.20:3000"),  # another port, another site
        ("http://192.168.1.20", "192.168.1.20:3000"),
        ("https://chat.example.org:8443", "chat.example.org"),
        ("http://laptop.local.evil.example:3000", "laptop.local:3000"),
        ("null", "laptop.local:3000"),  # sandboxed frames, file:// pages
        ("http://static.example", "backend.example:8000"),  # listed with another port
        ("javascript:alert(1)", "x"),
        ("http://x:99999", "x:99999"),
        ("http://evil.example", None),
    ],
)
def test_refused(origin, host):
    assert not policy.allows(origin, host)


def test_a_wildcard_or_garbage_entry_allows_nothing_extra():
    assert policy.allowed == {"https://chat.example.org", "http://static.example:8080"}
    assert normalise_origin("*") is None
    assert not OriginPolicy(["*"]).allows("http://evil.example", "chat.example.org")


def test_engineio_gets_the_same_rule():
    assert policy.engineio_check("http://laptop.local:3000", {"HTTP_HOST": "laptop.local:3000"})
    assert not policy.engineio_check("http://evil.example", {"HTTP_HOST": "laptop.local:3000"})


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("open")
    await websocket.close()


inner = Starlette(
    routes=[
        Route("/ping", lambda request: PlainTextResponse("pong")),
        WebSocketRoute("/_event/", echo),
    ]
)
client = TestClient(origin_guard(OriginPolicy([]))(inner), base_url="http://chat.local:3000")


def test_http_requests_from_a_foreign_origin_get_403():
    assert client.get("/ping", headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.get("/ping", headers={"Origin": "http://chat.local:3000"}).text == "pong"
    assert client.get("/ping").text == "pong"


def test_a_foreign_websocket_is_refused_before_it_opens():
    own = {"Host": "chat.local:3000"}
    foreign = {**own, "Origin": "http://evil.example"}
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/_event/", headers=foreign),
    ):
        pass
    assert refused.value.code == 1008
    with client.websocket_connect(
        "/_event/", headers={**own, "Origin": "http://chat.local:3000"}
    ) as ws:
        assert ws.receive_text() == "open"


def test_refusals_are_logged_once_per_origin_and_boundedly(caplog):
    noisy = OriginPolicy([])
    guarded = TestClient(origin_guard(noisy)(inner), base_url="http://chat.local:3000")
    with caplog.at_level("WARNING", logger="chat_app.http.origin_guard"):
        for _ in range(3):
            guarded.get("/ping", headers={"Origin": "http://evil.example"})
        for index in range(300):
            guarded.get("/ping", headers={"Origin": f"http://e{index}.example"})
    assert sum("evil.example" in r.getMessage() for r in caplog.records) == 1
    assert len(caplog.records) == 100
