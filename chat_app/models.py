"""Database tables (SQLModel). No behaviour here: the rules live in services."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    SQLite drops the offset, so values are stored as naive UTC and given back as aware.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Convert an aware datetime to what the database stores."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Give back an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class User(SQLModel, table=True):
    """A registered person. `username_key` (lower-cased) makes names unique case-insensitively."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=32)
    username_key: str = Field(max_length=32, unique=True, index=True)
    nickname: str = Field(max_length=32)
    password_hash: str = Field(max_length=255)
    avatar_file_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)


class AuthSession(SQLModel, table=True):
    """One logged-in device. Only the sha256 of the bearer token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=256)


class LoginFailure(SQLModel, table=True):
    """A failed login, kept for the throttling window (shared by every worker via the DB)."""

    id: int | None = Field(default=None, primary_key=True)
    username_key: str = Field(max_length=128, index=True)
    client_address: str = Field(max_length=64, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
