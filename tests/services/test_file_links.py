"""Download links: signed for one login session, and dead once that session ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from chat_app.models import AuthSession, User, utc_now
from chat_app.services import auth, file_links
from chat_app.services.passwords import hash_password
from chat_app.settings import SETTINGS
from tests.support.users import log_in, make_user

pytestmark = pytest.mark.both_databases

FILE = "f" * 32
PASSWORD = "correct horse battery"


def query_of(url: str) -> dict[str, str]:
    return dict(part.split("=") for part in url.split("?")[1].split("&"))


def opens(session: Session, url: str, **changes: str) -> int | None:
    """The user the link opens files for (None: refused), with parts of it replaced."""
    path, _ = url.split("?")
    _, _, file_id, variant = path.split("/")
    parts = {"file_id": file_id, "variant": variant, **query_of(url), **changes}
    claim = file_links.parse_link(parts.pop("file_id"), parts.pop("variant"), parts)
    return None if claim is None else file_links.link_user(session=session, claim=claim)


def test_a_link_is_bound_to_user_session_file_variant_and_time(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    _, key = log_in(session, ann)
    _, bob_key = log_in(session, bob)
    now = utc_now()
    url = file_links.signed_url(key=key, file_id=FILE, variant="file", now=now)
    query = query_of(url)
    assert opens(session, url) == ann
    assert opens(session, url, u=str(bob)) is None  # another user's id, same session
    assert opens(session, url, u=str(bob), v=str(bob_key.session_id)) is None  # and session
    assert opens(session, url, v=str(bob_key.session_id)) is None
    assert opens(session, url, file_id="e" * 32) is None
    assert opens(session, url, variant="thumb") is None
    assert opens(session, url, s=query["s"][:-1] + ("1" if query["s"][-1] == "0" else "0")) is None
    assert opens(session, url, e=str(int(query["e"]) + 1)) is None
    expired = file_links.signed_url(
        key=key, file_id=FILE, variant="file", now=now - SETTINGS.file_url_ttl - timedelta(1)
    )
    assert opens(session, expired) is None


def test_logging_out_revokes_the_links_of_that_session_only(session: Session):
    ann = make_user(session, "ann")
    phone_token, phone = log_in(session, ann)
    _, laptop = log_in(session, ann)
    phone_url = file_links.signed_url(key=phone, file_id=FILE, variant="file")
    laptop_url = file_links.signed_url(key=laptop, file_id=FILE, variant="thumb")
    auth.logout(session=session, token=phone_token)
    assert opens(session, phone_url) is None
    assert opens(session, laptop_url) == ann


def test_logging_out_everywhere_revokes_every_link(session: Session):
    ann = make_user(session, "ann")
    token, key = log_in(session, ann)
    _, other = log_in(session, ann)
    urls = [file_links.signed_url(key=k, file_id=FILE, variant="file") for k in (key, other)]
    assert [opens(session, url) for url in urls] == [ann, ann]
    auth.logout_everywhere(session=session, token=token)
    assert [opens(session, url) for url in urls] == [None, None]


def test_a_password_change_revokes_the_links_of_the_other_devices(session: Session):
    ann = make_user(session, "ann")
    user = session.get(User, ann)
    assert user is not None
    user.password_hash = hash_password(PASSWORD)
    session.add(user)
    session.commit()
    token, key = log_in(session, ann)
    _, stolen = log_in(session, ann)  # e.g. a device the password leaked to
    own_url = file_links.signed_url(key=key, file_id=FILE, variant="file")
    stolen_url = file_links.signed_url(key=stolen, file_id=FILE, variant="file")
    auth.change_password(
        session=session,
        token=token,
        current_password=PASSWORD,
        new_password=PASSWORD + " 2",
        new_password_confirm=PASSWORD + " 2",
    )
    assert opens(session, stolen_url) is None
    assert opens(session, own_url) == ann  # the device that changed it stays logged in


def test_an_expired_or_idle_session_opens_nothing(session: Session):
    ann = make_user(session, "ann")
    _, key = log_in(session, ann)
    url = file_links.signed_url(key=key, file_id=FILE, variant="file")
    claim = file_links.parse_link(FILE, "file", query_of(url))
    assert claim is not None
    idle = utc_now() + SETTINGS.session_idle_timeout
    assert file_links.link_user(session=session, claim=claim, now=idle) is None


def test_a_session_id_given_again_to_a_new_session_does_not_revive_old_links(session: Session):
    ann = make_user(session, "ann")
    token, key = log_in(session, ann)
    url = file_links.signed_url(key=key, file_id=FILE, variant="file")
    auth.logout(session=session, token=token)
    # The same user logs in again and the new row gets the old id (SQLite reuses it).
    session.add(
        AuthSession(
            id=key.session_id,
            token_hash="a" * 64,
            user_id=ann,
            created_at=utc_now(),
            last_seen_at=utc_now(),
            expires_at=utc_now() + timedelta(days=1),
        )
    )
    session.commit()
    assert opens(session, url) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"u": "²"},
        {"u": "٣"},
        {"e": "9" * 5000},
        {"v": "1" * 19},
        {"u": "-1"},
        {"u": " 1"},
        {"u": "1\n"},
        {"u": ""},
        {"s": "A" * 64},
        {"s": "0" * 63},
        {"file_id": "F" * 32},
        {"file_id": "../" * 10 + "ff"},
        {"variant": "raw"},
    ],
)
def test_malformed_links_are_refused_before_any_lookup(changes: dict[str, str]):
    parts = {"file_id": FILE, "variant": "file", "u": "1", "v": "1", "e": "1", "s": "0" * 64}
    parts.update(changes)
    assert file_links.parse_link(parts.pop("file_id"), parts.pop("variant"), parts) is None
    whole = {"file_id": FILE, "variant": "file", "u": "1", "v": "1", "e": "1", "s": "0" * 64}
    assert file_links.parse_link(whole.pop("file_id"), whole.pop("variant"), whole) is not None
