"""My devices: user agents in words, the list of my sessions, logging out only my own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from chat_app.models import AuthSession, utc_now
from chat_app.services import auth, devices, sessions
from chat_app.services.devices import DeviceName, describe_user_agent
from tests.support.users import make_user

PASSWORD = "correct horse"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
EDGE_WINDOWS = CHROME_WINDOWS + " Edg/124.0.2478.51"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Safari/605.1.15"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
SAMSUNG_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36"
)
FIREFOX_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 Safari/605.1.15"
)


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (CHROME_WINDOWS, DeviceName("Chrome", "Windows")),
        (EDGE_WINDOWS, DeviceName("Edge", "Windows")),
        (FIREFOX_LINUX, DeviceName("Firefox", "Linux")),
        (SAFARI_IPHONE, DeviceName("Safari", "iOS")),
        (SAFARI_MAC, DeviceName("Safari", "macOS")),
        (CHROME_ANDROID, DeviceName("Chrome", "Android")),
        (SAMSUNG_ANDROID, DeviceName("Samsung Internet", "Android")),
        (FIREFOX_IPHONE, DeviceName("Firefox", "iOS")),
        ("curl/8.5.0", DeviceName("", "")),
        ("", DeviceName("", "")),
        (None, DeviceName("", "")),
    ],
)
def test_a_user_agent_is_named_by_its_browser_and_system(user_agent, expected):
    assert describe_user_agent(user_agent) == expected


def _login(session: Session, agent: str, address: str) -> str:
    return auth.login(
        session=session,
        username="alice",
        password=PASSWORD,
        client_address=address,
        user_agent=agent,
    ).token


@pytest.fixture
def alice(session: Session) -> int:
    # Not the first account (that one, from another machine, needs the setup code).
    make_user(session, "root")
    result = auth.register(
        session=session,
        username="alice",
        nickname="Alice",
        password=PASSWORD,
        password_confirm=PASSWORD,
        client_address="10.0.0.1",
        user_agent=FIREFOX_LINUX,
    )
    return result.user.id


def test_my_devices_list_every_session_of_mine_with_this_device_first(session: Session, alice: int):
    phone = _login(session, SAFARI_IPHONE, "10.0.0.2")
    _login(session, CHROME_WINDOWS, "2001:db8::1")
    bob = make_user(session, "bob")
    sessions.create_session(session=session, user_id=bob, user_agent=EDGE_WINDOWS)
    session.commit()

    listed = devices.devices(
        session=session, user_id=alice, current_hash=sessions.hash_token(phone)
    )

    first = listed[0]
    assert (first.browser, first.system, first.address, first.this_device) == (
        "Safari",
        "iOS",
        "10.0.0.2",
        True,
    )
    assert sorted((d.browser, d.system, d.address) for d in listed[1:]) == [
        ("Chrome", "Windows", "2001:db8::1"),
        ("Firefox", "Linux", "10.0.0.1"),
    ]
    assert not any(d.this_device for d in listed[1:])


def test_expired_sessions_are_not_listed(session: Session, alice: int):
    later = utc_now() + sessions.SETTINGS.session_idle_timeout + timedelta(minutes=1)
    assert devices.devices(session=session, user_id=alice, current_hash="", now=later) == ()


def _hashes(session: Session, user_id: int) -> set[str]:
    rows = session.exec(select(AuthSession).where(AuthSession.user_id == user_id)).all()
    return {row.token_hash for row in rows}


def test_logging_out_another_device_ends_only_that_session(session: Session, alice: int):
    phone = _login(session, SAFARI_IPHONE, "10.0.0.2")
    laptop = _login(session, CHROME_WINDOWS, "10.0.0.3")
    here = sessions.hash_token(laptop)
    phone_id = next(
        d.session_id
        for d in devices.devices(session=session, user_id=alice, current_hash=here)
        if d.browser == "Safari"
    )

    ended = devices.end_device(
        session=session, user_id=alice, session_id=phone_id, current_hash=here
    )

    assert ended == sessions.hash_token(phone)
    assert sessions.resolve_session(session=session, token=phone) is None
    assert sessions.resolve_session(session=session, token=laptop) is not None
    assert len(_hashes(session, alice)) == 2


@pytest.mark.parametrize("forged", [None, "1", 1.0, True, -1, 0, 2**70, 999, [1], {"id": 1}])
def test_forged_device_ids_change_nothing(session: Session, alice: int, forged):
    before = _hashes(session, alice)
    assert (
        devices.end_device(session=session, user_id=alice, session_id=forged, current_hash="") == ""
    )
    assert _hashes(session, alice) == before


def test_another_users_device_and_my_own_current_one_are_not_ended(session: Session, alice: int):
    bob = make_user(session, "bob")
    bob_token = sessions.create_session(session=session, user_id=bob)
    session.commit()
    bob_row = session.exec(select(AuthSession).where(AuthSession.user_id == bob)).one()
    mine = session.exec(select(AuthSession).where(AuthSession.user_id == alice)).one()

    assert (
        devices.end_device(session=session, user_id=alice, session_id=bob_row.id, current_hash="")
        == ""
    )
    assert (
        devices.end_device(
            session=session, user_id=alice, session_id=mine.id, current_hash=mine.token_hash
        )
        == ""
    )
    assert sessions.resolve_session(session=session, token=bob_token) is not None
    assert _hashes(session, alice) == {mine.token_hash}


def test_logging_out_all_other_devices_keeps_this_one_and_other_users(session: Session, alice: int):
    phone = _login(session, SAFARI_IPHONE, "10.0.0.2")
    laptop = _login(session, CHROME_WINDOWS, "10.0.0.3")
    bob = make_user(session, "bob")
    bob_token = sessions.create_session(session=session, user_id=bob)
    session.commit()
    # A login idle too long for the list ends too.
    stale = session.exec(
        select(AuthSession).where(AuthSession.token_hash == sessions.hash_token(phone))
    ).one()
    stale.last_seen_at = utc_now() - sessions.SETTINGS.session_idle_timeout * 2
    session.add(stale)
    session.commit()
    here = sessions.hash_token(laptop)

    ended = devices.end_other_devices(session=session, user_id=alice, current_hash=here)

    assert ended == 2
    assert _hashes(session, alice) == {here}
    assert sessions.resolve_session(session=session, token=bob_token) is not None
    assert devices.end_other_devices(session=session, user_id=alice, current_hash=here) == 0


def test_logging_out_other_devices_without_this_devices_hash_ends_nothing(
    session: Session, alice: int
):
    _login(session, SAFARI_IPHONE, "10.0.0.2")
    before = _hashes(session, alice)

    assert devices.end_other_devices(session=session, user_id=alice, current_hash="") == 0
    assert _hashes(session, alice) == before


def test_last_active_and_address_are_written_at_most_every_five_minutes(
    session: Session, alice: int
):
    token = _login(session, CHROME_WINDOWS, "10.0.0.5")
    token_hash = sessions.hash_token(token)
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == token_hash)).one()
    started = row.last_seen_at

    def resolve(minutes: float, address: str) -> AuthSession:
        when = started + timedelta(minutes=minutes)
        user = sessions.resolve_session_by_hash(
            session=session, token_hash=token_hash, client_address=address, now=when
        )
        assert user is not None
        assert user.id == alice
        session.expire_all()
        return session.exec(select(AuthSession).where(AuthSession.id == row.id)).one()

    # Within five minutes of the last write: nothing is written, whatever the address.
    seen = resolve(4.9, "10.9.9.9")
    assert (seen.last_seen_at, seen.client_address) == (started, "10.0.0.5")
    seen = resolve(5, "10.9.9.9")
    assert (seen.last_seen_at, seen.client_address) == (started + timedelta(minutes=5), "10.9.9.9")
    seen = resolve(9, "10.1.1.1")
    assert (seen.last_seen_at, seen.client_address) == (started + timedelta(minutes=5), "10.9.9.9")
    # A resolve that does not know the address moves last active and keeps the address.
    seen = resolve(10, "")
    assert (seen.last_seen_at, seen.client_address) == (started + timedelta(minutes=10), "10.9.9.9")


def test_the_address_is_recorded_at_login_and_cut_to_the_column(session: Session, alice: int):
    token = _login(session, CHROME_WINDOWS, "x" * 200)
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == sessions.hash_token(token))
    ).one()
    assert row.client_address == "x" * sessions.MAX_ADDRESS_LENGTH
