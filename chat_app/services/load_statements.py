"""Core statements of a tab's page load, built once and bound per call.

Every connecting tab reads its friend pane, its friends' presence, its sound setting and
its session's link key, and marks its user seen. Through the ORM, building those queries
and loading whole `User` rows cost several times the SQLite work (py-spy on the bench's
5,000-tab crowd); these select only the columns shown. Like `statements`, they run on
the session's connection, in its transaction, with the columns' own types.
"""

from __future__ import annotations

import sqlalchemy as sa

from chat_app.services.statements import AUTH_SESSION, BLOCK, FRIENDSHIP, TABLES, USER

FRIEND_REQUEST = TABLES["friendrequest"]

# What a contact view needs of a user (never the password hash).
_CONTACT = (USER.c.id, USER.c.username, USER.c.nickname, USER.c.avatar_file_id)

# A user's friends' ids: a friendship is stored once, as (lower id, higher id).
FRIEND_IDS = (
    sa.select(FRIENDSHIP.c.user_high_id)
    .where(FRIENDSHIP.c.user_low_id == sa.bindparam("user"))
    .union(
        sa.select(FRIENDSHIP.c.user_low_id).where(FRIENDSHIP.c.user_high_id == sa.bindparam("user"))
    )
)
FRIEND_CONTACTS = sa.select(*_CONTACT).where(USER.c.id.in_(FRIEND_IDS))
FRIENDS_LAST_SEEN = sa.select(USER.c.id, USER.c.last_seen_at).where(USER.c.id.in_(FRIEND_IDS))

_BLOCKED_BY_USER = sa.select(BLOCK.c.blocked_id).where(BLOCK.c.blocker_id == sa.bindparam("user"))
BLOCKED_CONTACTS = sa.select(*_CONTACT).where(USER.c.id.in_(_BLOCKED_BY_USER))
BLOCKS_EITHER_WAY = sa.select(BLOCK.c.blocker_id, BLOCK.c.blocked_id).where(
    (BLOCK.c.blocker_id == sa.bindparam("user")) | (BLOCK.c.blocked_id == sa.bindparam("user"))
)


def _pending_requests(other_user: sa.Column, *where: sa.ColumnElement[bool]) -> sa.Select:
    """Pending requests, newest first, each with the user on its other side."""
    return (
        sa.select(FRIEND_REQUEST.c.id.label("request_id"), *_CONTACT)
        .join(USER, USER.c.id == other_user)
        .where(FRIEND_REQUEST.c.status == "pending", *where)
        .order_by(FRIEND_REQUEST.c.created_at.desc(), FRIEND_REQUEST.c.id.desc())
    )


# Requests to the user (but from users they block), with who sent each.
INCOMING_REQUESTS = _pending_requests(
    FRIEND_REQUEST.c.from_user_id,
    FRIEND_REQUEST.c.to_user_id == sa.bindparam("user"),
    FRIEND_REQUEST.c.from_user_id.not_in(_BLOCKED_BY_USER),
)
# Requests the user sent, with whom each went to.
OUTGOING_REQUESTS = _pending_requests(
    FRIEND_REQUEST.c.to_user_id, FRIEND_REQUEST.c.from_user_id == sa.bindparam("user")
)
CONTACTS_BY_ID = sa.select(*_CONTACT).where(USER.c.id.in_(sa.bindparam("ids", expanding=True)))

CHIME_SETTING = sa.select(USER.c.chime_enabled).where(USER.c.id == sa.bindparam("user"))
RECORD_SEEN = (
    sa.update(USER)
    .where(USER.c.id == sa.bindparam("user"))
    .values(last_seen_at=sa.bindparam("now", type_=USER.c.last_seen_at.type))
)
SESSION_KEY = sa.select(AUTH_SESSION.c.id, AUTH_SESSION.c.user_id, AUTH_SESSION.c.created_at).where(
    AUTH_SESSION.c.token_hash == sa.bindparam("token_hash")
)
