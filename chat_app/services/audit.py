"""The administrators' audit log: every administrator action, who did it and when.

An entry is written in the same transaction as the change it records, so a change is never
without its entry nor an entry without its change. Names are copied into the entry: it
still reads right after a rename or an account deletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from chat_app.models import AuditEntry, User, utc_now
from chat_app.services import validation

# What the command-line tool is called in the log (it has no user).
COMMAND_LINE = "command line"
PAGE_SIZE = 50
MAX_DETAIL_LENGTH = 200


@dataclass(frozen=True)
class AuditView:
    """One line of the audit log, as the admin page lists it."""

    id: int
    actor_name: str
    action: str
    target_name: str
    detail: str
    created_at: datetime


def record(
    *,
    session: Session,
    actor: User | None,
    action: str,
    target: User | None = None,
    target_name: str = "",
    detail: str = "",
    now: datetime | None = None,
) -> None:
    """Add one entry to the log (the caller commits it with the change it describes).

    Args:
        session: The database session the change is made in.
        actor: The administrator, or None for the command-line tool.
        action: A short stable code, e.g. "disable", "promote", "registration_mode".
        target: The user the action was about, if any.
        target_name: What the action was about when it is not a user (e.g. an invite).
        detail: A short free text (cut at 200 characters), e.g. the new mode.
        now: The current time.
    """
    session.add(
        AuditEntry(
            actor_id=actor.id if actor is not None else None,
            actor_name=actor.username if actor is not None else COMMAND_LINE,
            action=action[:32],
            target_user_id=target.id if target is not None else None,
            target_name=(target.username if target is not None else target_name)[:64],
            detail=detail[:MAX_DETAIL_LENGTH],
            created_at=now or utc_now(),
        )
    )


def entries(*, session: Session, page: object = 0) -> tuple[list[AuditView], int]:
    """One page of the log, newest first, and the number of entries in all.

    Args:
        session: The database session.
        page: Zero-based page number (untrusted: see `validation.page_number`).

    Returns:
        At most `PAGE_SIZE` entries and the total count.
    """
    page = validation.page_number(page)
    total = session.exec(select(func.count()).select_from(AuditEntry)).one()
    rows = session.exec(
        select(AuditEntry)
        .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    views = [
        AuditView(
            id=row.id or 0,
            actor_name=row.actor_name,
            action=row.action,
            target_name=row.target_name,
            detail=row.detail,
            created_at=row.created_at,
        )
        for row in rows
    ]
    return views, int(total)
