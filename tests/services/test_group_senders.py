"""The people of a group's timeline as one reader sees them: members only, blocks neutral."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from chat_app.models import Block, User, utc_now
from chat_app.services import group_members
from chat_app.services.group_senders import SenderView, senders
from tests.support.groups import make_group, make_people

pytestmark = pytest.mark.both_databases


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    return make_people(session, "ann bob cat eve", "ann-bob ann-cat")


def _asked(session: Session, viewer: int, group: object, *user_ids: object):
    return senders(session=session, viewer_id=viewer, conversation_id=group, user_ids=user_ids)


def test_members_past_and_present_are_named_with_their_pictures(session, users):
    ann, bob, cat, eve = (users[n] for n in ("ann", "bob", "cat", "eve"))
    group = make_group(session, ann, bob, cat)
    user = session.get(User, bob)
    assert user is not None
    user.avatar_file_id = "pic-of-bob"
    session.commit()
    group_members.remove_member(session=session, actor_id=ann, conversation_id=group, user_id=cat)
    found = _asked(session, ann, group, bob, cat, eve)
    # Cat left but her old messages still name her; Eve was never a member.
    assert [(p.user_id, p.name, p.avatar_file_id, p.blocked) for p in found] == [
        (bob, "Bob", "pic-of-bob", False),
        (cat, "Cat", "", False),
    ]


def test_a_blocked_pair_see_each_other_by_username_without_a_picture(session, users):
    ann, bob, cat = (users[n] for n in ("ann", "bob", "cat"))
    group = make_group(session, ann, bob, cat)
    user = session.get(User, bob)
    assert user is not None
    user.avatar_file_id = "pic-of-bob"
    session.add(Block(blocker_id=bob, blocked_id=cat, created_at=utc_now()))
    session.commit()
    assert _asked(session, cat, group, bob) == (SenderView(bob, "bob", "", True),)
    assert _asked(session, bob, group, cat) == (SenderView(cat, "cat", "", True),)
    assert _asked(session, ann, group, bob, cat)[0] == SenderView(bob, "Bob", "pic-of-bob", False)


@pytest.mark.parametrize("forged", [None, "1", True, -1, 2**70, {"id": 1}])
def test_outsiders_and_forged_ids_learn_nothing(session, users, forged):
    ann, bob, eve = (users[n] for n in ("ann", "bob", "eve"))
    group = make_group(session, ann, bob)
    assert _asked(session, eve, group, ann, bob) == ()
    assert _asked(session, ann, forged, bob) == ()
    assert _asked(session, ann, group, forged) == ()
