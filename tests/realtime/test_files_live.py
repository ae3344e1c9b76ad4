"""A file message travels like a text message; uploads without a session store nothing."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import sqlalchemy as sa

from tests.realtime.helpers import (
    AUTH,
    UPLOADS,
    befriend,
    open_conversation,
    register,
    shown,
    unique_username,
)
from tests.support.images import png

UPLOAD_HANDLER = f"{UPLOADS}.upload"


async def upload(backend_url: str, tab_token: str, name: str, data: bytes) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(
            f"{backend_url}/_upload",
            headers={"reflex-client-token": tab_token, "reflex-event-handler": UPLOAD_HANDLER},
            files={"files": (name, data, "application/octet-stream")},
            timeout=20,
        )


def stored_files(database_url: str) -> int:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(sa.text("select count(*) from storedfile")).scalar_one()
    engine.dispose()
    return count


async def test_an_image_reaches_the_recipient_with_links_signed_for_them(backend):
    ann = await register(backend.url, unique_username("ann"))
    bob = await register(backend.url, unique_username("bob"))
    ann_id, bob_id = await befriend(ann, bob)
    await open_conversation(ann, bob_id)
    await open_conversation(bob, ann_id)

    response = await upload(backend.url, ann.token, "sunset.png", png(640, 480))
    assert response.status_code == 200
    await bob.wait_for(lambda c: any(m["kind"] == "image" for m in shown(c)))
    (message,) = [m for m in shown(bob) if m["kind"] == "image"]
    assert message["body"] == "sunset.png"
    attachment = message["attachment"]
    assert f"u={bob_id}&" in attachment["thumb_url"]
    # The uploader's own tab gets the message over its socket, in turn with the other
    # updates; the upload response carries none (the browser may apply it late).
    assert '"kind":"image"' not in response.text.replace(" ", "")
    await ann.wait_for(lambda c: any(m["kind"] == "image" for m in shown(c)))
    (own,) = [m for m in shown(ann) if m["kind"] == "image"]
    assert f"u={ann_id}&" in own["attachment"]["thumb_url"]

    async with httpx.AsyncClient() as client:
        thumb = await client.get(backend.url + "/" + attachment["thumb_url"].removeprefix("../"))
        assert thumb.status_code == 200
        assert thumb.headers["content-type"] == "image/jpeg"
        # Bob's link is useless to anyone else who copies it only with another user id.
        forged = attachment["thumb_url"].replace(f"u={bob_id}&", f"u={ann_id}&")
        assert (await client.get(backend.url + "/" + forged.removeprefix("../"))).status_code == 404
        # Reflex's own public folder serving is closed.
        assert (
            await client.get(f"{backend.url}/_upload/private/{attachment['file_id']}")
        ).status_code == 404
        # Bob's links are bound to his login session: logging out revokes them.
        await bob.call(AUTH, "logout", {})
        await bob.wait_for(lambda c: c.var(AUTH, "username") == "")
        gone = await client.get(backend.url + "/" + attachment["thumb_url"].removeprefix("../"))
        assert gone.status_code == 404
    for tab in (ann, bob):
        await tab.close()


async def test_uploads_without_a_session_store_nothing(backend):
    before = stored_files(backend.database_url)
    made_up = await upload(backend.url, str(uuid.uuid4()), "x.txt", b"hello")
    assert made_up.status_code == 200  # Reflex answers; our handler refused inside
    assert stored_files(backend.database_url) == before


async def test_an_oversize_upload_is_refused_before_the_body_is_read(backend):
    before = stored_files(backend.database_url)
    # Declare 30 MB, send only the headers: the answer must come without the body.
    reader, writer = await asyncio.open_connection("127.0.0.1", backend.port)
    writer.write(
        (
            "POST /_upload HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{backend.port}\r\n"
            f"reflex-client-token: {uuid.uuid4()}\r\n"
            f"reflex-event-handler: {UPLOAD_HANDLER}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {30 * 1024 * 1024}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    assert status_line.split()[1] == b"413"
    assert stored_files(backend.database_url) == before
