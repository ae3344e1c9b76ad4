"""Every remote endpoint of the app, called with forged arguments over the real `/_event` socket.

The handlers are discovered from the `rx.State` subclass tree (Reflex's own states
included), not listed by hand, so a new handler is fuzzed the day it is added. Each is
called without a session, then with a session checked to be still valid before every
example, with Hypothesis-drawn payloads (derandomized: the same on every run). Afterwards:
no traceback or ERROR record in the backend's log, not one row of three other users (a
friendship, messages, a file, a pending request and a block between them) changed, and
the server still answers `/ping`.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlmodel import Session

import chat_app.chat_app  # noqa: F401  (registers every state of the app)
from chat_app.models import Block, User
from chat_app.states.emoji_picker import EmojiPickerState
from tests.realtime.conftest import Backend, running_backend
from tests.realtime.helpers import (
    AUTH,
    FRIENDS,
    PASSWORD,
    STORAGE_KEYS,
    UPLOADS,
    befriend,
    find_user_id,
    open_conversation,
    register,
    request_id_from,
    send_text,
    shown,
    unique_username,
    usernames,
)
from tests.support.event_client import EventClient
from tests.support.handler_fuzz import (
    Handler,
    LogWatch,
    Values,
    aimed_payloads,
    client_storage_keys,
    diff_rows,
    discover_handlers,
    payloads,
    problems_in,
    value_strategy,
    victim_rows,
)

EMOJI = EmojiPickerState.get_full_name()
# Hypothesis examples per handler and phase: about a minute per profile in all.
EXAMPLES = 12
EXAMPLES_WITHOUT_PARAMETERS = 4
# Handlers that end the session they are called with: fuzzed last in the session phase.
SESSION_ENDING = {"logout", "logout_everywhere"}
# The id of the toast the app's backend exception handler sends (states/error_handler.py).
BACKEND_ERROR = "backend-error"
# A handler that takes longer than this to answer counts as a hang.
ANSWER_TIMEOUT = 15.0
# Reflex's own handlers and ours that discovery must find (a floor on the count too).
EXPECTED = {
    "update_vars_internal",
    "handle_frontend_exception",
    "on_load_internal",
    "set_is_hydrated",
    "hydrate_and_load",
    "setvar",
    "login",
    "register",
    "change_password",
    "logout",
    "logout_everywhere",
    "search",
    "send_request",
    "accept",
    "block",
    "open_conversation",
    "send",
    "retry",
    "upload",
    "upload_avatar",
    "set_language",
    "set_query",
    "track",
}
MIN_HANDLERS = 60


@pytest.fixture(scope="module", params=["embedded", "scaled"])
def fuzz_backend(request, tmp_path_factory) -> Iterator[Backend]:
    """A backend of its own: the forged logins must not throttle the shared one's address.

    The login throttle is raised so the fuzzing user can log in again after a forged
    `logout`; the throttle itself has its own tests.
    """
    throttle = {"CHAT_LOGIN_MAX_FAILURES": "1000", "CHAT_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000"}
    with running_backend(
        request, tmp_path_factory, request.param, redis_db=4, **throttle
    ) as backend:
        yield backend


@dataclass
class Victims:
    """Three users the fuzzing user has no relation to, and the ids of what they own."""

    user_ids: list[int]
    other_ids: list[int]


async def seed_victims(url: str) -> Victims:
    """B and C are friends with messages and a file; B asked D; D blocked C."""
    b, c, d = [await register(url, unique_username(n)) for n in ("vicb", "vicc", "vicd")]
    b_id, c_id = await befriend(b, c)
    await open_conversation(b, c_id)
    await open_conversation(c, b_id)
    await send_text(b, "hello C")
    await send_text(c, "hello B")
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{url}/_upload",
            headers={"reflex-client-token": c.token, "reflex-event-handler": f"{UPLOADS}.upload"},
            files={"files": ("notes.txt", b"private notes", "application/octet-stream")},
            timeout=20,
        )
    assert response.status_code == 200
    await b.wait_for(lambda t: len(shown(t)) >= 3)
    d_name = d.var(AUTH, "username")
    d_id = await find_user_id(b, d_name)
    await b.call(FRIENDS, "send_request", {"user_id": d_id})
    b_name = b.var(AUTH, "username")
    await d.wait_for(lambda t: b_name in usernames(t, "incoming"))
    pending_request = request_id_from(d, b_name)
    c_name = c.var(AUTH, "username")
    c_id_for_d = await find_user_id(d, c_name)
    await d.call(FRIENDS, "block", {"user_id": c_id_for_d})
    await d.wait_for(lambda t: c_name in usernames(t, "blocked"))
    for tab in (b, c, d):
        await tab.close()
    # Ids are sequential: the small ones are the accepted request, the conversation,
    # the messages... of these users.
    return Victims(user_ids=[b_id, c_id, d_id], other_ids=[pending_request, *range(12)])


@dataclass
class Findings:
    """What went wrong, per handler (phase and handler name -> descriptions)."""

    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    log_bytes: dict[str, int] = field(default_factory=dict)
    sessions_ended: dict[str, int] = field(default_factory=dict)
    calls: int = 0
    # The slowest single call and where (a stall of the caller's own tab shows here).
    slowest_call: tuple[float, str] = (0.0, "")

    def add(self, where: str, what: str) -> None:
        if len(self.problems[where]) < 5:
            self.problems[where].append(what[:600])


def _short(payload: Any) -> str:
    text = json.dumps(payload, ensure_ascii=True)
    return text if len(text) < 200 else text[:200] + f"...({len(text)} chars)"


class Fuzzer:
    """One tab that sends forged events, logged in as `username` or anonymous."""

    def __init__(self, url: str, findings: Findings, username: str | None = None):
        self.url = url
        self.findings = findings
        self.username = username
        self.token = ""
        self.tab: EventClient | None = None
        self.nonce = 0
        self.crashed = False

    async def start(self, token: str = "") -> None:
        self.token = token
        await self._new_tab()

    async def _new_tab(self) -> None:
        if self.tab is not None:
            with contextlib.suppress(Exception):
                await self.tab.close()
        storage = {f"{AUTH}.session_token_rx_state_": self.token} if self.token else {}
        self.tab = EventClient(self.url, local_storage=storage)
        self.tab.storage_keys |= STORAGE_KEYS
        await self.tab.connect("/")
        if self.username is not None:
            # The page's on_load resolves the session: logged in, or sent to /auth.
            await self.tab.wait_for(
                lambda t: (
                    t.var(AUTH, "username") == self.username or "_redirect" in t.event_names()
                ),
                ANSWER_TIMEOUT,
            )
            if self.tab.var(AUTH, "username") != self.username:
                await self._login()

    async def _login(self) -> None:
        assert self.tab is not None
        assert self.username is not None
        self.tab.navigate("/auth")
        form = {"username": self.username, "password": PASSWORD}
        await self._send("login", AUTH, {"form_data": form})
        await self.tab.wait_for(lambda t: t.var(AUTH, "username") == self.username, ANSWER_TIMEOUT)
        self.token = self.tab.var(AUTH, "session_token")
        self.tab.navigate("/")

    async def _send(self, handler: str, state: str, payload: Any) -> None:
        assert self.tab is not None
        event = {
            "name": f"{state}.{handler}",
            "payload": payload,
            "router_data": {
                "pathname": self.tab._pathname,
                "asPath": self.tab._pathname,
                "query": {},
            },
        }
        await self.tab._send_frame("42/_event," + json.dumps(["event", event]))

    def _alive(self) -> bool:
        tab = self.tab
        return tab is not None and tab._reader is not None and not tab._reader.done()

    async def _barrier(self) -> bool:
        """Wait until every event sent so far has been handled; False if none came back."""
        assert self.tab is not None
        self.nonce += 1
        nonce = f"fuzz-{self.nonce}"
        mark = len(self.tab.frames)
        if self.username is not None:
            # Re-resolves the session: a session that is no longer valid empties `username`.
            await self._send("require_login", AUTH, {})
        await self._send("set_query", EMOJI, {"value": nonce})

        def answered(tab: EventClient) -> bool:
            return any(nonce in frame for frame in tab.frames[mark:])

        try:
            await self.tab.wait_for(answered, ANSWER_TIMEOUT)
        except TimeoutError:
            return False
        # The app's backend exception handler answers a failed handler with this toast:
        # a crash is seen here even when the log guard rate-limits its traceback.
        self.crashed = any(BACKEND_ERROR in frame for frame in self.tab.frames[mark:])
        return True

    async def ready(self) -> None:
        """Before an example: a live socket, and the session (or none) this phase needs."""
        if not self._alive():
            self.findings.notes.append("socket closed by the server; reconnected")
            await self._new_tab()
        assert self.tab is not None
        shown_name = self.tab.var(AUTH, "username") or ""
        if self.username is None and shown_name:
            # A forged register or login that worked: the anonymous phase goes on anonymous.
            self.findings.notes.append(f"anonymous tab got logged in as {shown_name!r}")
            self.token = ""
            await self._new_tab()
        elif self.username is not None and shown_name != self.username:
            await self._new_tab()
            assert self.tab.var(AUTH, "username") == self.username

    async def call(self, handler: Handler, payload: Any, where: str) -> None:
        """Send one forged event and wait until it has been handled."""
        await self.ready()
        self.findings.calls += 1
        sent = time.monotonic()
        await self._send(handler.name, handler.state, payload)
        answered = await self._barrier()
        took = time.monotonic() - sent
        if took > self.findings.slowest_call[0]:
            self.findings.slowest_call = (took, f"{where} {_short(payload)}")
        if answered and self.crashed:
            self.findings.add(where, f"handler raised (error toast) for {_short(payload)}")
        tab = self.tab
        if answered and self.username and tab and tab.var(AUTH, "username") != self.username:
            # The next example logs in again first (`ready`): say what ended it.
            self.findings.sessions_ended[where] = self.findings.sessions_ended.get(where, 0) + 1
        if not answered:
            if not self._alive():
                self.findings.notes.append(f"{where}: socket dropped after {_short(payload)}")
                return
            self.findings.add(where, f"no answer within {ANSWER_TIMEOUT} s to {_short(payload)}")
            if not await pings(self.url):
                raise AssertionError(f"backend stopped answering /ping after {where}")
            await self._new_tab()

    async def close(self) -> None:
        if self.tab is not None:
            await self.tab.close()


async def pings(url: str, timeout: float = 5.0) -> bool:
    """Whether GET /ping answers 200 within `timeout` seconds."""
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{url}/ping", timeout=timeout)).status_code == 200
    except httpx.HTTPError:
        return False


def _is_expected_log(line: str) -> bool:
    """A client's report of an error in its own page, logged by design (not a failure here)."""
    return "frontend exception" in line.lower()


async def fuzz_phase(
    fuzzer: Fuzzer,
    handlers: list[Handler],
    values: Values,
    targets: list[int],
    follow_ups: dict[str, Handler],
    phase: str,
    watch: LogWatch,
    findings: Findings,
) -> None:
    for handler in handlers:
        where = f"{phase} {handler}"
        count = EXAMPLES if handler.params else EXAMPLES_WITHOUT_PARAMETERS
        started = time.monotonic()
        aimed = aimed_payloads(handler, targets)
        for payload in [*aimed, *payloads(handler, values, count)]:
            await fuzzer.call(handler, payload, where)
            if follow_up := follow_ups.get(handler.name):
                # A two-step action: the second step acts on what the first one stored.
                await fuzzer.call(follow_up, {}, where)
        findings.seconds[where] = time.monotonic() - started
        lines = watch.new_lines()
        findings.log_bytes[where] = sum(len(line) + 1 for line in lines)
        for line in problems_in(lines):
            if not _is_expected_log(line):
                findings.add(where, f"log: {line}")


def check_discovery(handlers: list[Handler]) -> None:
    names = {h.name for h in handlers}
    assert len(handlers) >= MIN_HANDLERS, f"found only {len(handlers)} handlers"
    assert names >= EXPECTED, f"not found: {sorted(EXPECTED - names)}"
    states = {h.state for h in handlers}
    app_states = {s for s in states if "chat_app___states___" in s}
    # ui, auth, presence, friends, profile, chat, emoji picker.
    assert len(app_states) >= 7, sorted(app_states)
    assert any(h.state.endswith("update_vars_internal_state") for h in handlers)


async def test_every_handler_survives_forged_calls(fuzz_backend: Backend) -> None:
    handlers = discover_handlers()
    check_discovery(handlers)
    # A handler that only stores what its follow-up acts on (a confirmation dialog).
    (confirm,) = [h for h in handlers if h.state == FRIENDS and h.name == "confirm"]
    follow_ups = {"ask_confirm": confirm}
    url = fuzz_backend.url
    victims = await seed_victims(url)
    fuzz_name = unique_username("fuzzer")
    own_tab = await register(url, fuzz_name)
    token = own_tab.var(AUTH, "session_token")
    await own_tab.close()
    before = victim_rows(fuzz_backend.database_url, victims.user_ids)
    assert set(before) >= {
        "user",
        "authsession",
        "friendship",
        "friendrequest",
        "block",
        "conversation",
        "message",
        "storedfile",
    }
    values = value_strategy([*victims.user_ids, *victims.other_ids], client_storage_keys())
    findings = Findings()
    watch = LogWatch(fuzz_backend.log)
    started = time.monotonic()

    anonymous = Fuzzer(url, findings)
    await anonymous.start()
    targets = [*victims.user_ids, *victims.other_ids[:1]]
    await fuzz_phase(anonymous, handlers, values, targets, follow_ups, "anonymous", watch, findings)
    await anonymous.close()

    logged_in = Fuzzer(url, findings, username=fuzz_name)
    await logged_in.start(token)
    ordered = [h for h in handlers if h.name not in SESSION_ENDING] + [
        h for h in handlers if h.name in SESSION_ENDING
    ]
    await fuzz_phase(logged_in, ordered, values, targets, follow_ups, "session", watch, findings)
    # Events the last calls chained were queued behind its barrier: one more drains them.
    await logged_in.ready()
    assert await logged_in._barrier()
    await logged_in.close()
    for line in problems_in(watch.new_lines()):
        if not _is_expected_log(line):
            findings.add("after the run", f"log: {line}")

    answered = await pings(url)
    after = victim_rows(fuzz_backend.database_url, victims.user_ids)
    elapsed = time.monotonic() - started
    slowest = sorted(findings.seconds.items(), key=lambda kv: -kv[1])[:5]
    noisiest = sorted(findings.log_bytes.items(), key=lambda kv: -kv[1])[:5]
    print(
        f"fuzzed {len(handlers)} handlers with {findings.calls} calls on "
        f"{fuzz_backend.profile} in {elapsed:.1f} s; "
        f"slowest {slowest}; most log bytes {noisiest}; sessions ended by "
        f"{findings.sessions_ended}; slowest call {findings.slowest_call}; "
        f"notes {findings.notes[:10]}"
    )
    report = [f"{where}: {what}" for where, items in findings.problems.items() for what in items]
    report += [f"row changed: {d}" for d in diff_rows(before, after)]
    if not answered:
        report.append("/ping did not answer within 5 s after the run")
    assert not report, "\n".join(report)


# ----- the fuzzer's own checks, without a backend -----


def test_a_traceback_is_reported_by_its_exception_in_either_log_format() -> None:
    plain = [
        "event handler failed",
        "Traceback (most recent call last):",
        '  File "x.py"',
        "KeyError: 'a'",
    ]
    # The app's log guard indents continuation lines; the console wraps long paths.
    guarded = [
        "Error processing event queue entry for",
        "    Traceback (most recent call last):",
        "      File ",
        '"/long/path/event_processor.py", line 861',
        "    TypeError: setvar() got an unexpected keyword argument 'x'",
    ]
    assert problems_in(plain) == ["Traceback -> KeyError: 'a'"]
    assert problems_in(guarded) == [
        "Traceback -> TypeError: setvar() got an unexpected keyword argument 'x'"
    ]
    assert problems_in(["WARNING Frontend exception reported by a client: x"]) == []


def test_victim_rows_follow_foreign_keys_to_rows_aimed_at_the_victims(engine) -> None:
    now = datetime.now(UTC)
    with Session(engine) as session:
        for user_id, name in [(1, "vic"), (2, "fuzzer")]:
            session.add(
                User(
                    id=user_id,
                    username=name,
                    username_key=name,
                    nickname=name,
                    password_hash="x",
                    created_at=now,
                )
            )
        session.commit()
        before = victim_rows(str(engine.url), [1])
        session.add(Block(blocker_id=2, blocked_id=1, created_at=now))
        session.add(Block(blocker_id=1, blocked_id=2, created_at=now))
        session.commit()
    after = victim_rows(str(engine.url), [1])
    assert set(before) == {"user"}
    assert len(diff_rows(before, after)) == 2  # both blocks, whoever made them
    fuzzer_only = victim_rows(str(engine.url), [2])
    assert (1,) not in fuzzer_only["user"]
