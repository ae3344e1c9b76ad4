"""The export route: a member's signed link streams the chat's ZIP; anything else is one 404.

Every test runs on the local folder and on Azure Blob Storage (Azurite).
"""

from __future__ import annotations

import asyncio
import io
import json
import uuid
import zipfile
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from chat_app.http import export_routes
from chat_app.http.export_routes import EXPORTS_AT_ONCE
from chat_app.http.file_routes import file_routes
from chat_app.models import utc_now
from chat_app.services import auth, chat_export, conversations, file_links, file_uploads
from chat_app.services.sessions import SessionKey
from chat_app.services.storage import FileStorage
from tests.support.users import log_in, make_friends, make_user, send_text


@pytest.fixture
def world(session, any_storage: FileStorage):
    storage = any_storage
    ann, bob, cat = (make_user(session, name) for name in ("ann", "bob", "cat"))
    make_friends(session, ann, bob)
    tokens, keys = {}, {}
    for user in (ann, bob, cat):
        tokens[user], keys[user] = log_in(session, user)
    chat = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    send_text(session, ann, chat, "the plan <b>for</b> Monday")
    file_uploads.send_file(
        session=session,
        viewer_id=bob,
        conversation_id=chat,
        client_id=uuid.uuid4().hex,
        source=io.BytesIO(b"%PDF-1.4 minutes"),
        name="会议 minutes.pdf",
        storage=storage,
    )
    return {
        "client": TestClient(file_routes(storage)),
        "ann": ann,
        "bob": bob,
        "cat": cat,
        "chat": chat,
        "keys": keys,
        "tokens": tokens,
        "session": session,
    }


def link(key: SessionKey, chat: object, language: str = "en", **kw) -> str:
    return file_links.signed_export_url(key=key, conversation_id=chat, language=language, **kw)  # type: ignore[arg-type]


def test_a_member_downloads_the_chat_as_a_zip_with_its_file(world):
    response = world["client"].get(link(world["keys"][world["bob"]], world["chat"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="Ann ')
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    about = json.loads(archive.read("messages.json"))
    assert about["chat"] == "Ann"
    assert about["exported_by"] == "Bob"
    assert [m["text"] for m in about["messages"]] == [
        "the plan <b>for</b> Monday",
        "会议 minutes.pdf",
    ]
    assert archive.read("files/000002-会议 minutes.pdf") == b"%PDF-1.4 minutes"
    assert "the plan &lt;b&gt;for&lt;/b&gt; Monday" in archive.read("index.html").decode()


def test_a_chinese_export_is_in_chinese(world):
    response = world["client"].get(link(world["keys"][world["ann"]], world["chat"], "zh"))
    page = zipfile.ZipFile(io.BytesIO(response.content)).read("index.html").decode()
    assert '<html lang="zh-CN">' in page


def test_every_refusal_is_the_same_404(world):
    keys, chat = world["keys"], world["chat"]
    good = link(keys[world["bob"]], chat)
    path, query = good.split("?")
    params = dict(part.split("=") for part in query.split("&"))
    expired = link(keys[world["bob"]], chat, now=utc_now() - timedelta(minutes=11))
    refused = [
        path,
        f"{path}?u={params['u']}&v={params['v']}&e={params['e']}&s={'0' * 64}",
        f"{path}?u={world['ann']}&v={params['v']}&e={params['e']}&s={params['s']}",
        good.replace("/en?", "/zh?"),  # the language is signed
        good.replace("/en?", "/fr?"),
        good.replace(f"/exports/{chat}/", f"/exports/{chat + 1}/"),
        good.replace(f"/exports/{chat}/", "/exports/1%20OR%201=1/"),
        expired,
        link(keys[world["cat"]], chat),  # validly signed, never in the chat
        link(keys[world["bob"]], 999_999),
    ]
    answers = {(r.status_code, r.text) for r in map(world["client"].get, refused)}
    assert answers == {(404, "Not found")}


def test_a_link_dies_with_its_session(world):
    good = link(world["keys"][world["bob"]], world["chat"])
    auth.logout(session=world["session"], token=world["tokens"][world["bob"]])
    assert world["client"].get(good).status_code == 404


def test_more_exports_than_run_at_once_each_finish(world):
    """A finished download gives its turn back (else the third would wait for ever)."""
    good = link(world["keys"][world["ann"]], world["chat"])
    for _ in range(EXPORTS_AT_ONCE + 1):
        response = world["client"].get(good)
        assert response.status_code == 200
        assert len(response.content) > 100


def test_a_link_fetched_too_often_is_refused_like_any_other(world, monkeypatch):
    monkeypatch.setattr(chat_export, "DOWNLOADS_PER_HOUR", 2)
    good = link(world["keys"][world["ann"]], world["chat"])
    assert [world["client"].get(good).status_code for _ in range(3)] == [200, 200, 404]
    # Bob's downloads are his own.
    assert world["client"].get(link(world["keys"][world["bob"]], world["chat"])).status_code == 200


async def test_a_reader_that_stops_reading_gives_its_turn_back(monkeypatch):
    monkeypatch.setattr(export_routes, "STALL_SECONDS", 0.05)
    turns = asyncio.Semaphore(1)
    stalled = export_routes._in_turn(iter([b"a1", b"a2", b"a3"]), turns)
    assert await anext(stalled) == b"a1"
    # Its reader takes nothing more: the next download gets the turn once it stalls.
    waiting = export_routes._in_turn(iter([b"b1", b"b2"]), turns)
    assert await asyncio.wait_for(anext(waiting), timeout=5) == b"b1"
    assert [piece async for piece in waiting] == [b"b2"]
    # Back, the stalled reader's download ends there, cut short; the turn is free once.
    assert [piece async for piece in stalled] == []
    assert not turns.locked()
    await turns.acquire()
    assert turns.locked()


async def test_a_reader_that_keeps_reading_keeps_its_turn(monkeypatch):
    monkeypatch.setattr(export_routes, "STALL_SECONDS", 0.05)
    turns = asyncio.Semaphore(1)
    download = export_routes._in_turn(iter([b"a1", b"a2", b"a3"]), turns)
    assert [piece async for piece in download] == [b"a1", b"a2", b"a3"]
    assert not turns.locked()
