"""The download route: signed, expiring, per session, membership re-checked, one 404 for all.

Every test runs on the local folder and on Azure Blob Storage (Azurite).
"""

from __future__ import annotations

import io
import os
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from chat_app.http.file_routes import file_routes
from chat_app.models import StoredFile, User, utc_now
from chat_app.services import auth, conversations, file_links, file_uploads, friends
from chat_app.services.blob_storage import PIECE
from chat_app.services.passwords import hash_password
from chat_app.services.sessions import SessionKey
from chat_app.services.storage import FileStorage, LocalFileStorage
from chat_app.settings import SETTINGS
from tests.support.images import png
from tests.support.users import log_in, make_friends, make_user


@pytest.fixture
def world(session, any_storage: FileStorage):
    storage = any_storage
    ann, bob, cat = (make_user(session, name) for name in ("ann", "bob", "cat"))
    make_friends(session, ann, bob)
    for user in (ann, bob, cat):
        _, KEYS[user] = log_in(session, user)

    def upload(data: bytes, name: str) -> str:
        sent = file_uploads.send_file(
            session=session,
            viewer_id=ann,
            conversation_id=conversations.direct_with(
                session=session, viewer_id=ann, friend_id=bob
            ),
            client_id=uuid.uuid4().hex,
            source=io.BytesIO(data),
            name=name,
            storage=storage,
        )
        assert sent.message.attachment is not None
        return sent.message.attachment.file_id

    client = TestClient(file_routes(storage))
    return {
        "client": client,
        "ann": ann,
        "bob": bob,
        "cat": cat,
        "pdf": upload(b"%PDF-1.4 the report", "作业 报告.pdf"),
        "image": upload(png(800, 600), "photo.png"),
        "session": session,
        "storage": storage,
        "upload": upload,
    }


# Each user's login session in the current test (the links a tab of theirs would show).
KEYS: dict[int, SessionKey] = {}


def url(user: int, file_id: str, variant: str = "file", **kw) -> str:
    return file_links.signed_url(key=KEYS[user], file_id=file_id, variant=variant, **kw)


def test_participants_download_with_safe_headers(world):
    for user in (world["ann"], world["bob"]):
        response = world["client"].get(url(user, world["pdf"]))
        assert response.status_code == 200
        assert response.content == b"%PDF-1.4 the report"
        assert response.headers["content-type"].startswith("application/pdf")
        assert response.headers["content-disposition"] == (
            'attachment; filename="__ __.pdf"; '
            "filename*=UTF-8''%E4%BD%9C%E4%B8%9A%20%E6%8A%A5%E5%91%8A.pdf"
        )
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"].startswith("private")


def test_thumbnails_are_inline_and_originals_are_attachments(world):
    thumb = world["client"].get(url(world["bob"], world["image"], "thumb"))
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/jpeg"
    assert thumb.headers["content-disposition"].startswith("inline;")
    original = world["client"].get(url(world["bob"], world["image"], "file"))
    assert original.headers["content-disposition"].startswith("attachment;")


def refusals(world) -> list[str]:
    good = url(world["bob"], world["pdf"])
    path, query = good.split("?")
    params = dict(p.split("=") for p in query.split("&"))
    expired = url(world["bob"], world["pdf"], now=utc_now() - SETTINGS.file_url_ttl - timedelta(1))
    return [
        path,  # no token at all
        f"{path}?u={params['u']}&v={params['v']}&e={params['e']}&s={'0' * 64}",  # tampered
        f"{path}?u={world['ann']}&v={params['v']}&e={params['e']}&s={params['s']}",  # not hers
        f"{path}?u={params['u']}&e={params['e']}&s={params['s']}",  # no session named
        f"{path}?u={params['u']}&v={params['v']}&e={params['e']}²&s={params['s']}",
        f"{path}?u={params['u']}&v={params['v']}&e={'9' * 5000}&s={params['s']}",
        expired,
        url(world["cat"], world["pdf"]),  # validly signed, but not in the conversation
        url(world["bob"], "0" * 32),  # no such file
        url(world["bob"], world["pdf"], "thumb"),  # a PDF has no thumbnail
    ]


def test_every_refusal_is_the_same_404(world):
    answers = {(r.status_code, r.text) for r in map(world["client"].get, refusals(world))}
    assert answers == {(404, "Not found")}
    traversal = world["client"].get(f"/files/{'..%2F' * 3}etc%2Fpasswd/file?u=1&e=1&s=x")
    assert traversal.status_code == 404


def test_a_friend_removed_later_still_reads_the_history_files(world):
    friends.remove_friend(session=world["session"], viewer_id=world["ann"], friend_id=world["bob"])
    assert world["client"].get(url(world["bob"], world["pdf"])).status_code == 200


def test_large_files_and_thumbnails_arrive_whole_with_every_header(world):
    data = b"%PDF-1.7\n" + os.urandom(2 * PIECE + 12345)  # several pieces of a blob download
    response = world["client"].get(url(world["bob"], world["upload"](data, "big.pdf")))
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith('attachment; filename="big.pdf"')
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, max-age=3600"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"

    thumb = world["client"].get(url(world["bob"], world["image"], "thumb"))
    stored = world["session"].get(StoredFile, world["image"])
    with world["storage"].open(stored.thumbnail_key) as blob:
        assert thumb.content == blob.read()  # the 16 sniffed bytes are not lost
    assert thumb.headers["content-length"] == str(len(thumb.content))


def test_a_file_missing_from_the_store_is_the_same_404(world):
    stored = world["session"].get(StoredFile, world["image"])
    world["storage"].delete(stored.storage_key)
    world["storage"].delete(stored.thumbnail_key)
    for variant in ("file", "thumb"):
        response = world["client"].get(url(world["bob"], world["image"], variant))
        assert (response.status_code, response.text) == (404, "Not found")


def test_a_link_dies_with_its_session_and_lives_with_it(world):
    """Logout, "log out everywhere" and a password change (other devices) end its links."""
    session, client, bob = world["session"], world["client"], world["bob"]
    user = session.get(User, bob)
    user.password_hash = hash_password("correct horse battery")
    session.add(user)
    session.commit()

    def link_of_new_device() -> tuple[str, str]:
        token, KEYS[bob] = log_in(session, bob)
        return token, url(bob, world["image"], "thumb")

    token, link = link_of_new_device()
    assert client.get(link).status_code == 200
    auth.logout(session=session, token=token)
    assert (client.get(link).status_code, client.get(link).text) == (404, "Not found")

    token, link = link_of_new_device()
    auth.logout_everywhere(session=session, token=token)
    assert client.get(link).status_code == 404

    _, other_device_link = link_of_new_device()
    token, own_link = link_of_new_device()
    auth.change_password(
        session=session,
        token=token,
        current_password="correct horse battery",
        new_password="another good passphrase",
        new_password_confirm="another good passphrase",
    )
    assert client.get(other_device_link).status_code == 404
    assert client.get(own_link).status_code == 200  # the device that changed it stays in


@pytest.fixture
def local_client(session, tmp_path: Path) -> TestClient:
    """The route on a local folder (the fuzzer needs no second store)."""
    return TestClient(file_routes(LocalFileStorage(tmp_path / "private")))


# Digits of every script, superscripts, signs, spaces, huge and negative numbers.
NUMBERISH = st.one_of(
    st.from_regex(r"[0-9]{1,40}", fullmatch=True),
    st.text(alphabet=st.characters(categories=("Nd", "No")), min_size=1, max_size=6),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["²", "٣", "1e3", "0x10", " 1", "1\n", "9" * 5000, "-0", "+1", ""]),
    st.text(max_size=20),
)
SIGNATURE = st.one_of(
    st.text(alphabet="0123456789abcdefABCDEF", min_size=60, max_size=70), st.text(max_size=8)
)
# The four parameters a link has, each odd or well-formed, plus any others.
QUERY = st.tuples(
    st.fixed_dictionaries({"u": NUMBERISH, "v": NUMBERISH, "e": NUMBERISH, "s": SIGNATURE}),
    st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3),
).map(lambda parts: {**parts[1], **parts[0]})
PATH_PART = st.one_of(
    st.sampled_from(["file", "thumb", "..", ".", "%00", "0" * 32, "f" * 32]),
    st.text(alphabet="0123456789abcdefF", min_size=30, max_size=34),
    st.text(max_size=40),
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    file_id=st.one_of(st.text(alphabet="0123456789abcdef", min_size=32, max_size=32), PATH_PART),
    variant=st.one_of(st.sampled_from(["file", "thumb"]), PATH_PART),
    query=QUERY,
    raw=st.text(max_size=60),
)
@example(file_id="f" * 32, variant="file", query={"u": "²", "e": "9" * 12, "s": "0"}, raw="")
@example(file_id="f" * 32, variant="thumb", query={"u": "1", "e": "9" * 5000, "s": "0"}, raw="")
def test_any_request_is_answered_404_never_500(local_client, file_id, variant, query, raw):
    """Arbitrary path parts and query strings (valid shapes too) get the same 404."""
    path = f"/files/{quote(file_id, safe='')}/{quote(variant, safe='')}"
    for target in (f"{path}?{urlencode(query)}", f"{path}?{quote(raw, safe='&=')}"):
        # A 500 would raise here: TestClient re-raises the server's exception.
        assert local_client.get(target).status_code == 404
