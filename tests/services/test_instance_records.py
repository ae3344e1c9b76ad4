"""Run-time settings, the audit log and the wrong-token throttle."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session

from chat_app.models import User, utc_now
from chat_app.services import audit, instance_settings, token_guesses, validation
from chat_app.services.errors import RateLimited, ValidationFailed
from chat_app.settings import SETTINGS


def test_registration_is_open_until_an_administrator_chooses(session: Session):
    assert instance_settings.registration_mode(session=session) == "open"
    instance_settings.set_registration_mode(session=session, mode="invite")
    session.commit()
    assert instance_settings.registration_mode(session=session) == "invite"
    instance_settings.set_registration_mode(session=session, mode="closed")
    session.commit()
    assert instance_settings.registration_mode(session=session) == "closed"


@pytest.mark.parametrize("mode", ["OPEN", "", None, 1, ["open"], "invite "])
def test_an_unknown_registration_mode_is_refused_and_nothing_changes(session: Session, mode):
    with pytest.raises(ValidationFailed):
        instance_settings.set_registration_mode(session=session, mode=mode)
    session.commit()
    assert instance_settings.registration_mode(session=session) == "open"


def test_group_invites_may_register_until_turned_off(session: Session):
    assert instance_settings.group_invites_register(session=session)
    instance_settings.set_group_invites_register(session=session, allowed=False)
    session.commit()
    assert not instance_settings.group_invites_register(session=session)


def test_the_audit_log_lists_newest_first_in_pages_with_copied_names(session: Session):
    admin = User(
        username="root_1",
        username_key="root_1",
        nickname="R",
        password_hash="x",
        created_at=utc_now(),
        role="admin",
    )
    session.add(admin)
    session.flush()
    start = utc_now()
    for number in range(audit.PAGE_SIZE + 3):
        audit.record(
            session=session,
            actor=admin if number % 2 else None,
            action="registration_mode",
            detail="x" * 500,
            now=start + timedelta(seconds=number),
        )
    session.commit()
    first, total = audit.entries(session=session)
    assert total == audit.PAGE_SIZE + 3
    assert len(first) == audit.PAGE_SIZE
    assert first[0].created_at > first[-1].created_at
    assert {entry.actor_name for entry in first} == {"root_1", audit.COMMAND_LINE}
    assert len(first[0].detail) == audit.MAX_DETAIL_LENGTH
    second, _ = audit.entries(session=session, page=1)
    assert len(second) == 3
    assert audit.entries(session=session, page=-1)[0] == first
    assert audit.entries(session=session, page="1")[0] == first  # type: ignore[arg-type]


def test_wrong_tokens_are_refused_past_the_hourly_limit_per_address(session: Session):
    settings = replace(SETTINGS, token_guesses_per_hour=3)
    now = utc_now()
    for _ in range(3):
        token_guesses.check_allowed(
            session=session, client_address="10.0.0.9", now=now, settings=settings
        )
        token_guesses.count_wrong_guess(
            session=session, client_address="10.0.0.9", kind="invite", now=now
        )
    with pytest.raises(RateLimited):
        token_guesses.check_allowed(
            session=session, client_address="10.0.0.9", now=now, settings=settings
        )
    # Another address is not affected; an hour later this one may try again.
    token_guesses.check_allowed(
        session=session, client_address="10.0.0.8", now=now, settings=settings
    )
    token_guesses.check_allowed(
        session=session, client_address="10.0.0.9", now=now + timedelta(hours=1), settings=settings
    )


@pytest.mark.parametrize(
    ("asked", "page"), [(3, 3), (-1, 0), (True, 0), ("2", 0), (None, 0), (10**30, 1_000_000)]
)
def test_a_page_number_from_a_client_is_a_small_non_negative_int(asked, page):
    assert validation.page_number(asked) == page
