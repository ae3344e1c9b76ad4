"""Last seen is stored per user and shown only to friends."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from chat_app.models import utc_now
from chat_app.services import presence
from tests.support.users import make_friends, make_user


def test_last_seen_is_recorded_and_given_only_for_friends(session: Session):
    ann, bob, cat = (make_user(session, name) for name in ("ann", "bob", "cat"))
    make_friends(session, ann, bob)
    when = utc_now() - timedelta(minutes=5)
    assert presence.record_seen(session=session, user_id=ann, now=when) == when.isoformat()
    presence.record_seen(session=session, user_id=cat)
    assert presence.friends_last_seen(session=session, user_id=bob) == {ann: when.isoformat()}
    assert presence.friends_last_seen(session=session, user_id=ann) == {bob: ""}
    assert presence.friends_last_seen(session=session, user_id=cat) == {}
