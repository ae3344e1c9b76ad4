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

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import Session

import chat_app.chat_app  # noqa: F401  (registers every state of the app)
from chat_app.models import Block, User
from tests.realtime.conftest import Backend, running_backend
from tests.realtime.fuzz_client import Findings, Fuzzer, pings
from tests.realtime.helpers import (
    AUTH,
    FRIENDS,
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
from tests.support.fuzz_checks import LogWatch, diff_rows, problems_in, victim_rows
from tests.support.handler_fuzz import (
    Handler,
    Values,
    aimed_payloads,
    client_storage_keys,
    discover_handlers,
    payloads,
    value_strategy,
)

# Hypothesis examples per handler and phase: about a minute on the embedded profile. The
# scaled profile runs the same handlers through Redis: its own failures (state saved and
# loaded, pushes across workers) show in the first examples, so it runs half as many.
EXAMPLES = {"embedded": 12, "scaled": 6}
EXAMPLES_WITHOUT_PARAMETERS = {"embedded": 4, "scaled": 2}
# Handlers that end the session they are called with: fuzzed last in the session phase.
SESSION_ENDING = {"logout", "logout_everywhere"}
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
    profile: str,
) -> None:
    for handler in handlers:
        where = f"{phase} {handler}"
        examples = EXAMPLES if handler.params else EXAMPLES_WITHOUT_PARAMETERS
        count = examples[profile]
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
    await fuzz_phase(
        anonymous,
        handlers,
        values,
        targets,
        follow_ups,
        "anonymous",
        watch,
        findings,
        fuzz_backend.profile,
    )
    await anonymous.close()

    logged_in = Fuzzer(url, findings, username=fuzz_name)
    await logged_in.start(token)
    ordered = [h for h in handlers if h.name not in SESSION_ENDING] + [
        h for h in handlers if h.name in SESSION_ENDING
    ]
    await fuzz_phase(
        logged_in,
        ordered,
        values,
        targets,
        follow_ups,
        "session",
        watch,
        findings,
        fuzz_backend.profile,
    )
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
