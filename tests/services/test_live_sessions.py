"""Which sessions of a worker's open tabs still hold: as a resolution would find them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from chat_app.models import AuthSession, utc_now
from chat_app.services import account_status, sessions
from chat_app.services.sessions import hash_token
from tests.support.accounts import make_admin_user
from tests.support.users import log_in, make_user

pytestmark = pytest.mark.both_databases


def _row(session: Session, token: str) -> AuthSession:
    query = select(AuthSession).where(AuthSession.token_hash == hash_token(token))
    return session.exec(query).one()


def test_only_sessions_a_resolution_would_find_are_live(session: Session, monkeypatch):
    root = make_admin_user(session, "root")
    ann, bob, cat = (make_user(session, name) for name in ("ann", "bob", "cat"))
    live, idle, expired, ended = (log_in(session, ann)[0] for _ in range(4))
    disabled = log_in(session, bob)[0]
    cat_token = log_in(session, cat)[0]
    now = utc_now()
    _row(session, idle).last_seen_at = now - timedelta(days=8)  # the default idle is 7
    _row(session, expired).expires_at = now - timedelta(seconds=1)
    session.commit()
    sessions.end_session(session=session, token=ended)
    account_status.set_disabled(session=session, actor_id=root, target_id=bob, disabled=True)
    asked = [hash_token(t) for t in (live, idle, expired, ended, disabled, cat_token)]
    # Several queries when there are many (here one hash each), the same answer.
    monkeypatch.setattr(sessions, "LIVE_CHECK_BATCH", 1)
    found = sessions.live_hashes(session=session, token_hashes=[*asked, "not a hash", ""])
    assert found == {hash_token(live), hash_token(cat_token)}
    # Nothing was written: each is ended when it is next resolved.
    assert sessions.resolve_session(session=session, token=idle) is None
