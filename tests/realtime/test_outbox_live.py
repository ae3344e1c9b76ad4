"""The outbox against a real backend that is killed and started again (both profiles).

Raw clients keep browser storage as a browser does (the session token, the open
conversation, the draft, the outbox and the issued client id) and send it back with the
hydrate of every (re)connect. A "user" here presses Enter again only where a browser would
show the text still in the composer; everything else must go out by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets

from chat_app.states.outbox_entries import Outbox, OutboxEntry
from chat_app.states.replies import ReplyState
from tests.realtime.conftest import FAST_SENDING
from tests.realtime.helpers import (
    COMPOSER,
    CONVERSATION,
    DRAFT_KEY,
    OUTBOX,
    OUTBOX_KEY,
    send_form,
    send_text,
    shown,
)
from tests.realtime.helpers import (
    chat_pair as pair,
)
from tests.support.event_client import ROOT_STATE, EventClient
from tests.support.live_app import free_port, migrated_environment
from tests.support.restartable import RestartableBackend
from tests.support.scaled import scaled_settings
from tests.support.sql import rows_with_body

AT = "2026-12-02T10:00:00.000000+00:00"


REPLY = ReplyState.get_full_name()


class Restartable:
    """A backend that a test can kill -9 and start again on the same port and database."""

    def __init__(self, workdir: Path, profile: str, **settings: str) -> None:
        env, log = migrated_environment(workdir, **settings)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.database_url = env["REFLEX_DB_URL"]
        self.profile = profile
        self._log = log
        self._backend = RestartableBackend(port, env, log)

    def start(self) -> None:
        self._backend.start()

    def kill(self) -> None:
        """A crash: SIGKILL to every process of the backend, no shutdown, no flush."""
        self._backend.kill()

    def stop(self) -> None:
        self._backend.close()

    def rows(self, body: str) -> int:
        return rows_with_body(self.database_url, body)

    def warnings(self) -> list[str]:
        """The backend's log lines that warn or fail (for a test's failure message)."""
        lines = self._log.read_text(errors="replace").splitlines()
        marks = ("WARNING", "ERROR", "Error", "expired", "held too long", "failed")
        return [line[:300] for line in lines if any(mark in line for mark in marks)]


@contextlib.contextmanager
def restartable_backend(
    request, tmp_path_factory, redis_db: int, **settings: str
) -> Iterator[Restartable]:
    profile = request.param
    extra = dict(settings)
    if profile == "scaled":
        extra |= scaled_settings(request, redis_db=redis_db, workers=2)
    backend = Restartable(tmp_path_factory.mktemp(f"outbox-{profile}"), profile, **extra)
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture(scope="module", params=["embedded", "scaled"])
def restartable(request, tmp_path_factory) -> Iterator[Restartable]:
    with restartable_backend(request, tmp_path_factory, 5, **FAST_SENDING) as backend:
        yield backend


@pytest.fixture(scope="module", params=["embedded", "scaled"])
def rate_limited(request, tmp_path_factory) -> Iterator[Restartable]:
    limit = {"CHAT_MESSAGE_RATE_COUNT": "5", "CHAT_MESSAGE_RATE_SECONDS": "4"}
    with restartable_backend(request, tmp_path_factory, 6, **limit) as backend:
        yield backend


class StatusLog:
    """The last status a tab showed for each text, even after it scrolled out of the view."""

    def __init__(self, tab: EventClient) -> None:
        self.last: dict[str, str] = {}
        tab.observers.append(self)

    def __call__(self, tab: EventClient) -> None:
        for message in shown(tab):
            self.last[message["body"]] = message["status"]


def status_of(tab: EventClient, body: str) -> list[str]:
    return [m["status"] for m in shown(tab) if m["body"] == body]


def outbox_of(tab: EventClient) -> list[dict]:
    raw = tab.local_storage.get(OUTBOX_KEY) or ""
    return json.loads(raw) if raw else []


async def reopened(tab: EventClient) -> EventClient:
    """The same browser tab after its socket came back: same token, same storage."""
    again = EventClient(tab.backend_url, local_storage=tab.local_storage)
    again.token = tab.token
    again.storage_keys = set(tab.storage_keys)
    await again.connect(tab.address)
    return again


async def test_sends_queued_during_a_restart_by_twelve_tabs_are_each_stored_once(
    restartable: Restartable,
):
    tabs = []
    for _ in range(6):
        ann, bob, _ann_id, _bob_id = await pair(restartable.url)
        tabs += [ann, bob]
    restartable.kill()
    # While the backend is down each user writes a message and presses Enter: the browser
    # keeps the text in the composer (and its storage) and queues the send.
    queued = {}
    for n, tab in enumerate(tabs):
        await tab.drop()
        body = f"queued while down {n} {restartable.profile}"
        tab.local_storage[DRAFT_KEY] = body
        queued[n] = send_form(tab, body)
    restartable.start()

    async def come_back(n: int, tab: EventClient) -> EventClient:
        again = EventClient(tab.backend_url, local_storage=tab.local_storage)
        again.token, again.storage_keys = tab.token, set(tab.storage_keys)
        await again.connect(tab.address)
        # Right after the hydrate, before the page's load handlers: as the browser flushes.
        await again.call(COMPOSER, "send", {"form_data": queued[n]})
        return again

    back = await asyncio.gather(*(come_back(n, tab) for n, tab in enumerate(tabs)))
    for n, tab in enumerate(back):
        body = queued[n]["body"]
        await tab.wait_for(lambda c, b=body: status_of(c, b) == ["sent"], timeout=30)
        await tab.wait_for(lambda c: c.local_storage.get(DRAFT_KEY) == "" and not outbox_of(c))
    for n in queued:
        assert restartable.rows(queued[n]["body"]) == 1
    for tab in back:
        await tab.close()


async def test_the_quote_being_answered_comes_back_after_a_restart(restartable: Restartable):
    ann, bob, ann_id, _bob_id = await pair(restartable.url)
    asked = f"picnic on Sunday? {restartable.profile}"
    await send_text(ann, asked)
    await bob.wait_for(lambda c: status_of(c, asked) == ["sent"])
    seq = next(m["seq"] for m in shown(bob) if m["body"] == asked)
    conversation = bob.var(CONVERSATION, "conversation_id")
    await bob.call(REPLY, "reply_to", {"conversation_id": conversation, "seq": seq})
    await bob.wait_for(lambda c: c.var(REPLY, "reply_seq") == seq)
    restartable.kill()
    await bob.drop()
    restartable.start()
    # The embedded profile's tab states were in memory: the tab's storage brings it back.
    again = await reopened(bob)
    await again.wait_for(lambda c: c.var(REPLY, "reply_seq") == seq, timeout=30)
    assert (again.var(REPLY, "reply_sender_id"), again.var(REPLY, "reply_text")) == (
        ann_id,
        asked,
    )
    for tab in (ann, again):
        await tab.close()


async def test_kill_9_at_a_random_point_of_a_burst_loses_and_doubles_nothing(
    restartable: Restartable,
):
    ann, bob, _ann_id, _bob_id = await pair(restartable.url)
    await bob.close()
    bodies = [f"burst {restartable.profile} {n:03}" for n in range(300)]
    # Where the crash hits is random on purpose (not a secret): every run probes another point.
    kill_after = random.Random().randint(20, 200)  # noqa: S311
    attempted: list[str] = []

    async def crash_mid_burst() -> None:
        with contextlib.suppress(TimeoutError):
            await ann.wait_for(lambda c: len(attempted) > kill_after, timeout=60)
        restartable.kill()

    crash = asyncio.create_task(crash_mid_burst())
    for body in bodies:
        # As fast as the composer allows: the text is typed (the draft reaches the server
        # as the debounced input sends it), Enter, and the next text is typed once the
        # composer has been emptied, by the update that also issues the next client id.
        attempted.append(body)
        issued = ann.var(OUTBOX, "next_client_id")
        try:
            await ann.call(COMPOSER, "set_draft", {"value": body})
            await send_text(ann, body)
            await ann.wait_for(lambda c, i=issued: c.var(OUTBOX, "next_client_id") != i, timeout=5)
        except (TimeoutError, OSError, websockets.ConnectionClosed):
            break  # the backend is gone
    await crash
    await ann.drop()
    restartable.start()
    again = await reopened(ann)
    await again.wait_for(lambda c: c.var(ROOT_STATE, "is_hydrated") is True, timeout=30)
    # What the composer shows after the reload, the user sends again (same issued id).
    if left := again.var(COMPOSER, "draft"):
        await send_text(again, left)

    def settled(c: EventClient) -> bool:
        # The view holds the newest page: the ones before are counted in the database.
        sent = {m["body"] for m in shown(c) if m["status"] == "sent"}
        return attempted[-2] in sent and not outbox_of(c)

    await again.wait_for(settled, timeout=60)
    in_order = [m["body"] for m in shown(again) if m["body"] in attempted]
    assert in_order == sorted(in_order)
    assert len(in_order) == len(set(in_order))
    rows = [restartable.rows(body) for body in attempted]
    # The last text may never have reached the server (neither its draft nor its send):
    # then nothing of it exists anywhere, as when a browser dies with it.
    assert rows[:-1] == [1] * (len(attempted) - 1)
    assert rows[-1] in (0, 1)
    await again.close()


async def test_failed_sends_survive_a_restart_and_waiting_ones_go_out_paced(
    rate_limited: Restartable,
):
    ann, bob, _ann_id, _bob_id = await pair(rate_limited.url)
    await bob.close()
    bodies = [f"limited {rate_limited.profile} {n}" for n in range(7)]
    for body in bodies:
        await send_text(ann, body)
    await ann.wait_for(lambda c: all(status_of(c, b) for b in bodies))
    await ann.wait_for(lambda c: sum(status_of(c, b) == ["failed"] for b in bodies) == 2)
    failed = [b for b in bodies if status_of(ann, b) == ["failed"]]
    assert [entry["b"] for entry in outbox_of(ann)] == failed
    rate_limited.kill()
    await ann.drop()
    # And the browser holds twelve messages whose "sending" update arrived before the crash.
    conversation = ann.var(CONVERSATION, "conversation_id")
    me = ann.var(CONVERSATION, "my_id")
    waiting = [
        OutboxEntry(me, conversation, f"waiting-{rate_limited.profile}-{n}", f"waiting {n}", AT)
        for n in range(12)
    ]
    held = Outbox([*(OutboxEntry(**_fields(e)) for e in outbox_of(ann)), *waiting])
    ann.local_storage[OUTBOX_KEY] = held.encode()
    rate_limited.start()
    started = time.monotonic()
    again = await reopened(ann)
    await again.wait_for(lambda c: all(status_of(c, b) == ["failed"] for b in failed), timeout=20)
    await again.wait_for(
        lambda c: all(status_of(c, f"waiting {n}") == ["sent"] for n in range(12)), timeout=60
    )
    paced = time.monotonic() - started
    # 12 at 5 per 4 s: none of them failed "too fast" on the way.
    assert not any(status_of(again, f"waiting {n}") == ["failed"] for n in range(12))
    assert paced >= 4
    # Failed ones wait for the user's Retry (tests/states/test_outbox.py retries them).
    assert [rate_limited.rows(body) for body in failed] == [0] * len(failed)
    assert [rate_limited.rows(f"waiting {n}") for n in range(12)] == [1] * 12
    await again.close()


def _fields(entry: dict) -> dict:
    return {
        "user_id": entry["u"],
        "conversation_id": entry["c"],
        "client_id": entry["i"],
        "body": entry["b"],
        "sent_at": entry["t"],
        "failure": entry["f"],
        "mentioned": tuple(entry.get("m", ())),
    }


async def test_a_forged_outbox_is_rechecked_entry_by_entry_and_the_server_keeps_serving(
    restartable: Restartable,
):
    ann, bob, _ann_id, bob_id = await pair(restartable.url)
    cat, dan, _cat_id, _dan_id = await pair(restartable.url)
    me = ann.var(CONVERSATION, "my_id")
    own = ann.var(CONVERSATION, "conversation_id")
    others = cat.var(CONVERSATION, "conversation_id")  # Cat and Dan's, not Ann's
    entry = {"u": me, "c": own, "i": "own-valid", "b": "mine, kept", "t": AT, "f": ""}
    forged = [
        entry,
        {**entry, "i": "into-theirs", "c": others, "b": "into someone else's chat"},
        {**entry, "i": "as-cat", "u": cat.var(CONVERSATION, "my_id"), "b": "as another user"},
        {**entry, "i": "dict", "b": {"not": "text"}},
        {**entry, "i": "huge", "b": "x" * 60_000},
        {**entry, "b": "the same id, another text"},
        ["not", "an", "entry"],
    ]
    ann.local_storage[OUTBOX_KEY] = json.dumps(forged)
    await ann.drop()
    again = await reopened(ann)
    await again.wait_for(lambda c: status_of(c, "mine, kept") == ["sent"], timeout=20)
    # Said in the composer, where the next refusal may replace it within the same moment:
    # looked for in every frame, not only in the latest state.
    await again.wait_for(lambda c: any("could not be restored" in f for f in c.frames))
    # The entry into a conversation not hers is refused like a fresh send: back in her
    # composer with the reason, never stored.
    await again.wait_for(lambda c: c.var(COMPOSER, "draft") == "into someone else's chat")
    for body in ("into someone else's chat", "as another user", "the same id, another text"):
        assert restartable.rows(body) == 0
    # Thousands of entries (some 300,000 characters): over the storage cap, refused before
    # anything reads them. (Ten thousand would pass a million characters: then not even
    # Socket.IO takes the hydrate, and a browser's page says so; the server never writes
    # that much, so only a forging client meets it.)
    many = [{**entry, "i": f"n{n}", "b": f"n{n}"} for n in range(3_000)]
    again.local_storage[OUTBOX_KEY] = json.dumps(many)
    await again.drop()
    third = await reopened(again)
    await third.wait_for(lambda c: c.var(ROOT_STATE, "is_hydrated") is True, timeout=30)
    await send_text(third, "still serving")
    await bob.wait_for(lambda c: status_of(c, "still serving") == ["sent"], timeout=20)
    # Bob's push can overtake the sender's own acknowledgement (scaled: two workers).
    await third.wait_for(lambda c: outbox_of(c) == [] and status_of(c, "still serving") == ["sent"])
    assert restartable.rows("n0") == 0
    del bob_id
    for tab in (third, bob, cat, dan):
        await tab.close()


async def test_twenty_bursty_tabs_get_every_send_stored_or_shown_failed(restartable: Restartable):
    tabs = []
    for _ in range(10):
        ann, bob, _ann_id, _bob_id = await pair(restartable.url)
        tabs += [ann, bob]
    per_tab = 40

    async def burst(n: int, tab: EventClient) -> list[str]:
        bodies = [f"overload {restartable.profile} {n} {k:02}" for k in range(per_tab)]
        for body in bodies:  # as fast as the socket takes them, no waiting for answers
            await send_text(tab, body)
        return bodies

    logs = [StatusLog(tab) for tab in tabs]
    sent = await asyncio.gather(*(burst(n, tab) for n, tab in enumerate(tabs)))
    stored = failed = 0
    for tab, log, bodies in zip(tabs, logs, sent, strict=True):
        await tab.wait_for(
            lambda c, b=bodies, log=log: all(log.last.get(x) in ("sent", "failed") for x in b),
            timeout=120,
        )
        statuses = [log.last[body] for body in bodies]
        stored += statuses.count("sent")
        failed += statuses.count("failed")
    print(f"overload {restartable.profile}: {stored} stored, {failed} shown failed")
    assert stored + failed == 20 * per_tab
    for bodies in sent:
        for body in bodies[:: per_tab // 4]:
            assert restartable.rows(body) <= 1
    for tab in tabs:
        await tab.close()
