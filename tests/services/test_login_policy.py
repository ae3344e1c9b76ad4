"""The lock-out policy (services/throttle.py): attackers are slowed, owners never locked out.

Password checks are replaced by a cheap comparison here: the policy is about counting, and
hundreds of real argon2 checks would only make the tests slow.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from chat_app.models import LoginFailure, User, utc_now
from chat_app.services import auth, passwords, sessions, throttle
from chat_app.services.errors import (
    InvalidCredentials,
    TooManyAttempts,
    TooManyRegistrations,
    ValidationFailed,
)
from chat_app.settings import SETTINGS, load_settings
from tests.support.users import make_user

PASSWORD = "correct horse"
OWNER_ADDRESS = "198.51.100.10"


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    monkeypatch.setattr(auth, "hash_password", lambda password: "plain:" + password)
    monkeypatch.setattr(
        auth, "verify_password", lambda password, stored: (stored == "plain:" + password, None)
    )
    monkeypatch.setattr(auth, "dummy_hash", lambda: "plain:\x00")


def register(session: Session, username: str, address: str = "", **kw):
    return auth.register(
        session=session,
        username=username,
        nickname=username,
        password=PASSWORD,
        password_confirm=PASSWORD,
        client_address=address,
        **kw,
    )


def login(session: Session, username="alice", password=PASSWORD, address=OWNER_ADDRESS, **kw):
    return auth.login(
        session=session, username=username, password=password, client_address=address, **kw
    )


def failures(session: Session) -> int:
    return session.exec(select(func.count()).select_from(LoginFailure)).one()


@pytest.fixture
def alice(session: Session):
    return register(session, "alice")


class Attacker:
    """Guesses as fast as the throttle lets it, from one address or a new one each time."""

    def __init__(self, session: Session, start: datetime, spread: bool):
        self.session, self.clock, self.spread = session, start, spread
        self.guesses = 0
        self.longest_wait = 0
        self.last_failure = start

    def run_until(self, end: datetime) -> None:
        while self.clock < end:
            address = f"203.0.113.{self.guesses % 250}" if self.spread else "203.0.113.66"
            try:
                login(
                    self.session, password=f"guess {self.guesses}", address=address, now=self.clock
                )
            except InvalidCredentials:
                self.guesses += 1
                self.last_failure = self.clock
            except TooManyAttempts as error:
                self.longest_wait = max(self.longest_wait, error.retry_after_seconds)
                self.clock += timedelta(seconds=error.retry_after_seconds)


def test_a_stranger_elsewhere_cannot_lock_the_owner_out_of_their_address(session, alice):
    start = utc_now()
    attacker = Attacker(session, start, spread=False)
    attacker.run_until(start + timedelta(minutes=10))
    # One address gets its five guesses per window, then waits.
    assert attacker.guesses == 5
    # The owner's address waits at most a second after the attacker's last failure.
    at = attacker.last_failure + timedelta(seconds=1)
    assert login(session, now=at).user == alice.user


def test_an_attacker_on_many_addresses_is_slowed_and_the_owner_only_waits_briefly(session, alice):
    start = utc_now()
    attacker = Attacker(session, start, spread=True)
    attacker.run_until(start + timedelta(minutes=15))
    # Fifteen minutes of guessing from 250 addresses: about one guess a minute once past
    # the first few, never a lock longer than the cap.
    assert attacker.guesses <= 5 + 6 + 15
    assert attacker.longest_wait <= SETTINGS.login_max_delay.total_seconds()
    # The owner on a new device waits at most the cap after the last failure...
    now = attacker.last_failure
    with pytest.raises(TooManyAttempts) as waited:
        login(session, now=now)
    assert waited.value.retry_after_seconds <= 60
    assert login(session, now=now + SETTINGS.login_max_delay).user == alice.user
    # ...and a device already logged in as the owner does not wait at all.
    attacker.run_until(now + timedelta(minutes=2))
    device = sessions.hash_token(alice.token)
    at = attacker.last_failure
    assert login(session, now=at, device_hash=device).user == alice.user


def test_a_device_holding_the_owners_session_is_never_held_back_by_others(session, alice):
    now = utc_now()
    bob = register(session, "bob")
    # A stranger behind the owner's own NAT uses up that address's allowance.
    for n in range(5):
        with pytest.raises(InvalidCredentials):
            login(session, password=f"guess {n}", now=now)
    with pytest.raises(TooManyAttempts):
        login(session, now=now)
    # The owner's logged-in device still gets in, as the owner...
    owner_device = sessions.hash_token(alice.token)
    assert login(session, now=now, device_hash=owner_device).user == alice.user
    # ...but another user's session, or a made-up hash, is no pass.
    for forged in (sessions.hash_token(bob.token), "0" * 64, "not a hash"):
        with pytest.raises(TooManyAttempts):
            login(session, now=now, device_hash=forged)


def test_a_logged_in_device_has_its_own_limit_that_only_it_can_fill(session, alice):
    now = utc_now()
    device = sessions.hash_token(alice.token)
    for n in range(5):
        with pytest.raises(InvalidCredentials):
            login(session, password=f"typo {n}", now=now, device_hash=device)
    with pytest.raises(TooManyAttempts):
        login(session, now=now, device_hash=device)


def test_a_classroom_behind_one_address_is_not_locked(session):
    now = utc_now()
    pupils = [f"pupil_{n}" for n in range(40)]
    for name in pupils:
        register(session, name)
    # Forty people behind one NAT each mistype their password three times in the same
    # few minutes, and then get it right.
    for typo in range(3):
        for n, name in enumerate(pupils):
            at = now + timedelta(seconds=typo * 60 + n)
            with pytest.raises(InvalidCredentials):
                login(session, username=name, password=f"typo {typo}", address="192.0.2.1", now=at)
    later = now + timedelta(minutes=4)
    for name in pupils:
        assert login(session, username=name, address="192.0.2.1", now=later).user.username == name


def test_password_spraying_from_one_address_is_stopped(session, alice):
    now = utc_now()
    limit = SETTINGS.login_max_failures_per_address
    for n in range(limit):
        with pytest.raises(InvalidCredentials):
            login(
                session, username=f"user_{n}", password="Summer2026!", address="192.0.2.9", now=now
            )
    with pytest.raises(TooManyAttempts):
        login(session, address="192.0.2.9", now=now)
    assert login(session, now=now).user == alice.user


def test_refused_attempts_are_not_counted(session, alice):
    now = utc_now()
    for n in range(5):
        with pytest.raises(InvalidCredentials):
            login(session, password=f"guess {n}", address="203.0.113.5", now=now)
    for _ in range(20):
        with pytest.raises(TooManyAttempts):
            login(session, password="guess", address="203.0.113.5", now=now)
    assert failures(session) == 5


def change_password(
    session: Session, result, current: str, now: datetime, confirm="battery staple", **kw
):
    return auth.change_password(
        session=session,
        token=result.token,
        current_password=current,
        new_password="battery staple",
        new_password_confirm=confirm,
        client_address=OWNER_ADDRESS,
        now=now,
        **kw,
    )


def test_change_password_guesses_are_throttled_like_logins(session, alice):
    now = utc_now()
    for n in range(5):
        with pytest.raises(ValidationFailed):
            change_password(session, alice, f"guess {n}", now)
    # The right password is refused too, without being checked, until the oldest ages out.
    with pytest.raises(TooManyAttempts) as held:
        change_password(session, alice, PASSWORD, now + timedelta(minutes=1))
    assert held.value.retry_after_seconds == 14 * 60
    # The same counters as the login of that username: an anonymous login waits as well.
    with pytest.raises(TooManyAttempts):
        login(session, address="192.0.2.77", now=now)
    later = now + SETTINGS.login_failure_window + timedelta(seconds=1)
    assert change_password(session, alice, PASSWORD, later) == 0


def test_strangers_failures_do_not_stop_the_owner_changing_the_password(session, alice):
    now = utc_now()
    for n in range(30):
        with pytest.raises((InvalidCredentials, TooManyAttempts)):
            login(session, password=f"guess {n}", address=f"203.0.113.{n}", now=now)
    assert change_password(session, alice, PASSWORD, now) == 0


def test_an_account_passes_at_most_so_many_password_checks_in_ten_minutes(
    session, alice, monkeypatch
):
    # Each check is an argon2 hash on a pool every login waits for: someone who knows the
    # password (logins that succeed) or holds a session ("change password", any outcome)
    # could keep it busy (a review's 60 tabs slowed others' logins from 0.05 s to 3 s).
    checked: list[str] = []
    verify = auth.verify_password
    monkeypatch.setattr(
        auth,
        "verify_password",
        lambda password, stored: checked.append(password) or verify(password, stored),
    )
    now = utc_now()
    for _ in range(throttle.ACCOUNT_CHECKS // 2):
        login(session, now=now)
        with pytest.raises(ValidationFailed):
            change_password(session, alice, PASSWORD, now, confirm="does not match")
    hashed = len(checked)
    for attempt in (
        lambda: login(session, now=now),
        lambda: change_password(session, alice, PASSWORD, now),
    ):
        with pytest.raises(TooManyAttempts) as held:
            attempt()
        assert held.value.retry_after_seconds == 10 * 60
    assert len(checked) == hashed  # refused before any hash
    # Another account is not held back; ten minutes on, alice logs in again.
    register(session, "bob_2")
    login(session, username="bob_2", now=now)
    login(session, now=now + throttle.ACCOUNT_WINDOW + timedelta(seconds=1))


# ----- registrations -----


@pytest.fixture
def owner(session: Session) -> int:
    """The server's first account: later ones, from other machines, need no setup code."""
    return make_user(session, "owner")


def test_registrations_per_address_are_limited_with_a_wait(session, owner):
    settings = load_settings({"CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS": "3"})
    now = utc_now()
    for n in range(3):
        register(
            session, f"user_{n}", "192.0.2.1", now=now + timedelta(minutes=n), settings=settings
        )
    with pytest.raises(TooManyRegistrations) as refused:
        register(session, "user_x", "192.0.2.1", now=now + timedelta(minutes=10), settings=settings)
    assert refused.value.retry_after_seconds == 50 * 60
    # Nothing was stored for the refused one; another address is not affected.
    assert session.exec(select(func.count()).select_from(User)).one() == 1 + 3
    register(session, "user_y", "192.0.2.2", now=now + timedelta(minutes=10), settings=settings)
    # An hour after the first, one place is free again.
    register(session, "user_x", "192.0.2.1", now=now + timedelta(minutes=61), settings=settings)


def test_a_registration_through_an_administrators_invite_is_not_counted(session, owner):
    settings = load_settings({"CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS": "1"})
    now = utc_now()
    exempt = {"via_invite": True, "counted": False}
    register(session, "invited_1", "192.0.2.1", now=now, settings=settings, **exempt)
    register(session, "first", "192.0.2.1", now=now, settings=settings)
    register(session, "invited_2", "192.0.2.1", now=now, settings=settings, **exempt)
    with pytest.raises(TooManyRegistrations):
        register(session, "second", "192.0.2.1", now=now, settings=settings)


def test_an_invalid_form_uses_no_place(session, owner):
    settings = load_settings({"CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS": "1"})
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            register(session, "x", "192.0.2.1", settings=settings)
    register(session, "valid_name", "192.0.2.1", settings=settings)


def test_a_classroom_signs_up_within_the_hour_by_default(session, owner):
    now = utc_now()
    for n in range(40):
        register(session, f"pupil_{n}", "192.0.2.1", now=now + timedelta(seconds=60 * n))
    assert session.exec(select(func.count()).select_from(User)).one() == 1 + 40


# ----- hashing -----


def test_concurrent_hashes_are_bounded_process_wide(monkeypatch):
    limit = SETTINGS.argon2_max_concurrent
    inside, most = 0, 0
    hashers: set[str] = set()
    lock = threading.Lock()
    release = threading.Event()
    all_in = threading.Event()

    class SlowContext:
        def hash(self, password: str) -> str:
            nonlocal inside, most
            with lock:
                inside += 1
                most = max(most, inside)
                hashers.add(threading.current_thread().name)
                if inside == limit:
                    all_in.set()
            release.wait(10)
            with lock:
                inside -= 1
            return "hashed"

    monkeypatch.setattr(passwords, "_context", lambda: SlowContext())
    callers = [
        threading.Thread(target=passwords.hash_password, args=("pw",)) for _ in range(limit + 6)
    ]
    for caller in callers:
        caller.start()
    assert all_in.wait(10)
    release.set()
    for caller in callers:
        caller.join(10)
    assert not any(caller.is_alive() for caller in callers)
    assert most == limit
    # The memory a hash takes stays with the few hashing threads, not with every caller.
    assert len(hashers) <= limit
    assert all(name.startswith("argon2") for name in hashers)


def test_throttle_limits_are_documented_in_the_module():
    for setting in (
        "CHAT_LOGIN_MAX_FAILURES",
        "CHAT_LOGIN_MAX_DELAY_SECONDS",
        "CHAT_LOGIN_MAX_FAILURES_PER_ADDRESS",
        "CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS",
    ):
        assert setting in (throttle.__doc__ or "")


def test_an_overlong_address_is_clipped_once_for_counting_and_forgetting(session, alice):
    address = "2001:db8::" + "f" * 500  # longer than the column: one LoginAttempt clips it
    for _ in range(SETTINGS.login_max_failures_per_pair - 1):
        with pytest.raises(InvalidCredentials):
            login(session, password="wrong", address=address)
    stored = session.exec(select(LoginFailure.client_address)).all()
    assert {len(value) for value in stored} == {throttle.MAX_ADDRESS_LENGTH}
    assert login(session, address=address).user.username == "alice"
    assert failures(session) == 0  # the success found its pair's failures under the same key
