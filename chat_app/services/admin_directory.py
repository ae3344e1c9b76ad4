"""What the admin page lists: the users, searched and paged on the server, and the numbers.

A page holds at most `PAGE_SIZE` users, so a tab's state never holds the whole user table;
the storage each uses is summed for that page's users in one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from chat_app.models import Message, StoredFile, User
from chat_app.services import admin_rights, validation

PAGE_SIZE = 50
MAX_QUERY_LENGTH = 64


@dataclass(frozen=True)
class AdminUserView:
    """One user as the admin page lists them (never the password hash)."""

    id: int
    username: str
    nickname: str
    role: str
    disabled: bool
    deleted: bool
    created_at: datetime
    last_seen_at: datetime | None
    storage_bytes: int


@dataclass(frozen=True)
class InstanceNumbers:
    """The size of the instance (the state adds the users online now)."""

    users: int
    messages: int
    files: int
    storage_bytes: int


def _clean_query(query: object) -> str:
    if not isinstance(query, str):
        return ""
    return query.strip()[:MAX_QUERY_LENGTH]


def list_users(
    *, session: Session, viewer_id: int, query: object, page: object
) -> tuple[list[AdminUserView], int]:
    """One page of users, by username, matching a search (administrators only).

    Args:
        session: The database session.
        viewer_id: The administrator asking.
        query: Text to find in usernames or nicknames, any case, or "@" and text to find
            in usernames only (untrusted; "" for all).
        page: Zero-based page number (untrusted: anything else is 0).

    Returns:
        At most `PAGE_SIZE` users and how many match in all.

    Raises:
        Forbidden: The viewer is not an administrator.
    """
    admin_rights.require_admin(session=session, user_id=viewer_id)
    text = _clean_query(query)
    # "@ann" (the search box's hint, and how the app writes a username) means a username.
    usernames_only = text.startswith("@")
    text = text.removeprefix("@").strip()
    conditions: list[sa.ColumnElement[bool]] = []
    if text:
        pattern = validation.like_pattern(text.lower())
        in_username = col(User.username_key).like(pattern, escape="\\")
        in_nickname = func.lower(col(User.nickname)).like(pattern, escape="\\")
        conditions.append(in_username if usernames_only else or_(in_username, in_nickname))
    total = session.exec(select(func.count()).select_from(User).where(*conditions)).one()
    rows = session.exec(
        select(User)
        .where(*conditions)
        .order_by(col(User.username_key), col(User.id))
        .offset(validation.page_number(page) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    ids = [row.id for row in rows]
    usage = dict(
        session.exec(
            select(StoredFile.owner_id, func.coalesce(func.sum(StoredFile.size), 0))
            .where(col(StoredFile.owner_id).in_(ids))
            .group_by(col(StoredFile.owner_id))
        ).all()
    )
    views = [
        AdminUserView(
            id=row.id or 0,
            username=row.username,
            nickname=row.nickname,
            role=row.role,
            disabled=row.disabled_at is not None,
            deleted=row.deleted_at is not None,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            storage_bytes=int(usage.get(row.id or 0, 0)),
        )
        for row in rows
    ]
    return views, int(total)


def instance_numbers(*, session: Session, viewer_id: int) -> InstanceNumbers:
    """How many users (not deleted), messages and files, and the bytes stored.

    Raises:
        Forbidden: The viewer is not an administrator.
    """
    admin_rights.require_admin(session=session, user_id=viewer_id)
    users = session.exec(
        select(func.count()).select_from(User).where(col(User.deleted_at).is_(None))
    ).one()
    # What people wrote and sent, not the groups' own lines ("ann added bob").
    messages = session.exec(
        select(func.count()).select_from(Message).where(col(Message.kind) != "system")
    ).one()
    files, stored = session.exec(
        select(func.count(), func.coalesce(func.sum(StoredFile.size), 0)).select_from(StoredFile)
    ).one()
    return InstanceNumbers(
        users=int(users), messages=int(messages), files=int(files), storage_bytes=int(stored)
    )
