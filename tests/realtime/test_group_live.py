"""A 100-member group on a real backend (both profiles): every member has one tab open on
the group, and every tab shows every message exactly once, in seq order, also across a
dropped socket and a backend restart; a member removed mid-stream gets nothing after the
removal, neither pushed nor on catch-up, nor a file sent after it.

What each tab shows is read as the page renders it (the window, the live slots, the
pending copies), and a `Recorder` per tab notes any moment it showed a message twice or
out of order, not only the final picture.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import httpx
import pytest

from chat_app.services import file_links
from chat_app.settings import load_settings
from tests.load.seed import Seeded
from tests.realtime.conftest import FAST_SENDING
from tests.realtime.group_helpers import (
    TABS_AT_ONCE,
    close_all,
    group_tab,
    group_tabs,
    login_key,
    reconnect,
    remove_member,
    seed_group,
    upload_from,
)
from tests.realtime.helpers import CONVERSATION, Recorder, send_text, shown, shown_seqs
from tests.realtime.test_outbox_live import Restartable, restartable_backend
from tests.support.event_client import EventClient

MEMBERS = 100
# Links are signed with a key the test knows, to make one the app would never hand out.
SECRET = "group-live-test-signing-key"
LINKS = load_settings({"CHAT_SECRET_KEY": SECRET})
# Redis database 7: no other realtime backend of the session uses it.
REDIS_DB = 7


@pytest.fixture(scope="module", params=["embedded", "scaled"])
def group_backend(request, tmp_path_factory) -> Iterator[Restartable]:
    settings = FAST_SENDING | {"CHAT_SECRET_KEY": SECRET}
    with restartable_backend(request, tmp_path_factory, REDIS_DB, **settings) as backend:
        yield backend


async def shows(
    tabs: Sequence[EventClient],
    seqs: list[int],
    backend: Restartable | None = None,
    timeout: float = 30,
) -> None:
    """Wait until every tab shows exactly these stored messages, in this order.

    On failure: what each late tab shows, and the backend's warnings (a lock that expired
    or a push that failed explains a tab that shows another picture).
    """
    waits = (tab.wait_for(lambda c: shown_seqs(c) == seqs, timeout) for tab in tabs)
    outcomes = await asyncio.gather(*waits, return_exceptions=True)
    late = [n for n, outcome in enumerate(outcomes) if isinstance(outcome, BaseException)]
    if late:
        pictures = {n: shown_seqs(tabs[n]) for n in late[:5]}
        warnings = backend.warnings()[-15:] if backend is not None else []
        log = "\n".join(warnings)
        pytest.fail(f"{len(late)} tabs never showed {seqs}; some show {pictures}\n{log}")


def assert_never_doubled_or_reordered(recorders: Sequence[Recorder]) -> None:
    for recorder in recorders:
        assert recorder.duplicates == []
        assert recorder.disorder == []


def assert_same_messages(recorders: Sequence[Recorder], bodies: set[str]) -> None:
    """Every tab saw the same message at each seq, and those are the ones sent."""
    first = recorders[0].seen
    assert set(first.values()) >= bodies
    for recorder in recorders[1:]:
        assert recorder.seen == first


@dataclass
class OpenGroup:
    """A new group of `MEMBERS` members, each with one tab on it, and what each tab shows."""

    members: list[Seeded]
    group: int
    tabs: list[EventClient]
    recorders: list[Recorder]


async def open_group(backend: Restartable) -> OpenGroup:
    members, group = seed_group(backend.database_url, MEMBERS)
    tabs = await group_tabs(backend.url, members, group)
    return OpenGroup(members, group, tabs, [Recorder(tab) for tab in tabs])


async def every_tab_shows_each_once_in_order(
    opened: OpenGroup, bodies: Sequence[str], backend: Restartable
) -> None:
    """Every tab ends up showing exactly the sent messages (seq 1 on), and never showed one
    twice or out of order on the way."""
    await shows(opened.tabs, list(range(1, len(bodies) + 1)), backend)
    assert_never_doubled_or_reordered(opened.recorders)
    assert_same_messages(opened.recorders, set(bodies))
    await close_all(opened.tabs)


async def sent_in_turn(senders: Sequence[EventClient], bodies: Sequence[str]) -> None:
    """Each body from the next sender in turn, without waiting for any delivery."""
    for n, body in enumerate(bodies):
        await send_text(senders[n % len(senders)], body)


async def test_every_tab_of_a_hundred_members_gets_every_message_once_in_order(
    group_backend: Restartable,
):
    opened = await open_group(group_backend)
    tabs = opened.tabs
    bodies = [f"fan-out {n}" for n in range(10)]

    # Three members (the owner and two others) send, interleaved.
    await sent_in_turn([tabs[0], tabs[37], tabs[81]], bodies)

    await every_tab_shows_each_once_in_order(opened, bodies, group_backend)


async def test_tabs_whose_socket_dropped_mid_stream_show_every_message_once_after_reconnecting(
    group_backend: Restartable,
):
    opened = await open_group(group_backend)
    tabs = opened.tabs
    senders = [tabs[0], tabs[50]]
    # Ten tabs of members who do not send lose their connection (no close frame).
    dropping = tabs[1:100:10]
    bodies = [f"across a drop {n}" for n in range(10)]

    await sent_in_turn(senders, bodies[:3])
    await shows(dropping, [1, 2, 3], group_backend)
    await asyncio.gather(*(tab.drop() for tab in dropping))
    # Sent while they are away: pushes for them go nowhere.
    await sent_in_turn(senders, bodies[3:6])
    # They come back (the browser's reconnect: same tab, a hydrate, the page's load) while
    # the rest is being sent.
    await asyncio.gather(*(reconnect(tab) for tab in dropping), sent_in_turn(senders, bodies[6:]))

    await every_tab_shows_each_once_in_order(opened, bodies, group_backend)


def acknowledged(tab: EventClient, bodies: Sequence[str]) -> bool:
    """Whether the sender's tab shows these of its messages as stored ("sent")."""
    stored = {m["body"] for m in shown(tab) if m["seq"] > 0 and m["status"] == "sent"}
    return stored >= set(bodies)


async def test_messages_before_and_after_a_backend_restart_reach_every_tab_once_in_order(
    group_backend: Restartable,
):
    opened = await open_group(group_backend)
    tabs = opened.tabs
    senders = [tabs[0], tabs[99]]
    bodies = [f"across a restart {n}" for n in range(10)]

    await sent_in_turn(senders, bodies[:5])
    # Once the senders see them stored, and without waiting for the fan-out: a crash.
    for n, sender in enumerate(senders):
        await sender.wait_for(lambda c, mine=bodies[n:5:2]: acknowledged(c, mine))
    group_backend.kill()
    await asyncio.gather(*(tab.wait_for(lambda c: c.closed) for tab in tabs))
    group_backend.start()
    # Every tab reconnects to a fresh state, which the page's load fills from the browser's
    # storage. On the scaled profile too: the dead workers' socket records stay in Redis,
    # so Reflex takes each tab for a duplicate of itself and gives it a new token.
    for first in range(0, MEMBERS, TABS_AT_ONCE):
        await asyncio.gather(*(reconnect(tab) for tab in tabs[first : first + TABS_AT_ONCE]))
    await sent_in_turn(senders, bodies[5:])

    await every_tab_shows_each_once_in_order(opened, bodies, group_backend)


def file_message(tab: EventClient, name: str) -> dict:
    (message,) = [m for m in shown(tab) if m["kind"] == "file" and m["body"] == name]
    return message


async def status_of(backend_url: str, link: str) -> int:
    async with httpx.AsyncClient() as client:
        return (await client.get(backend_url + "/" + link.removeprefix("../"))).status_code


async def test_a_member_removed_mid_stream_gets_nothing_sent_after_the_removal(
    group_backend: Restartable,
):
    opened = await open_group(group_backend)
    members, group, tabs, recorders = opened.members, opened.group, opened.tabs, opened.recorders
    owner, removed, removed_tab = members[0], members[42], tabs[42]
    senders = [tabs[0], tabs[7]]
    url = group_backend.url

    await sent_in_turn(senders, ["before 0", "before 1"])
    await upload_from(tabs[7], "before.txt", b"agenda")
    await shows(tabs, [1, 2, 3], group_backend)
    await sent_in_turn(senders, ["before 3"])
    left_seq = await asyncio.to_thread(
        remove_member, group_backend.database_url, owner.user_id, group, removed.user_id
    )
    after = [f"after {n}" for n in range(6)]
    await sent_in_turn(senders, after[:3])
    await upload_from(tabs[7], "after.txt", b"minutes")
    await sent_in_turn(senders, after[3:])
    # Three messages and a file before, the removal's line, six messages and a file after:
    # "before 3" may be stored after the removal (it was sent, not waited for).
    everything = list(range(1, 4 + 1 + len(after) + 1 + 1))

    # Everyone else: every message, the removal's line too (fetched when the next push
    # showed the gap), once and in order.
    others = tabs[:42] + tabs[43:]
    await shows(others, everything, group_backend)
    assert_never_doubled_or_reordered(recorders)
    assert_same_messages(recorders[:42] + recorders[43:], set(after))

    # The removed member's tab: a catch-up (what a reconnect's load does) answers from its
    # own seq, then a reload; neither brings anything after the removal's line.
    await removed_tab.call(CONVERSATION, "catch_up", {})
    await removed_tab.wait_for(lambda c: left_seq in shown_seqs(c))
    assert max(recorders[42].seen) == left_seq
    assert not set(recorders[42].seen.values()) & set(after)
    await reconnect(removed_tab)
    assert shown_seqs(removed_tab) == list(range(1, left_seq + 1))
    # A new tab of theirs opening the group reads the history up to there, no further.
    fresh = await group_tab(url, removed, group)
    assert shown_seqs(fresh) == list(range(1, left_seq + 1))
    # That tab shows the group read-only (no composer); a member's still writes.
    assert fresh.var(CONVERSATION, "read_only") is True
    assert tabs[1].var(CONVERSATION, "read_only") is False
    assert max(recorders[42].seen) == left_seq

    # Files: the file sent before the removal still opens for them, the one after does not,
    # though it opens for a member and the link is genuine (signed for their live session).
    member_copy = file_message(tabs[1], "after.txt")["attachment"]
    assert await status_of(url, member_copy["file_url"]) == 200
    key = login_key(group_backend.database_url, removed.token)
    for name, expected in (("before.txt", 200), ("after.txt", 404)):
        file_id = file_message(tabs[1], name)["attachment"]["file_id"]
        link = file_links.signed_url(key=key, file_id=file_id, variant="file", settings=LINKS)
        assert await status_of(url, link[1:]) == expected, name
    await close_all([*tabs, fresh])


async def test_a_removed_members_open_tab_shows_the_group_read_only_after_a_reload(
    group_backend: Restartable,
):
    members, group = seed_group(group_backend.database_url, 4)
    tabs = await group_tabs(group_backend.url, members, group)
    removed_tab = tabs[1]
    left_seq = await asyncio.to_thread(
        remove_member, group_backend.database_url, members[0].user_id, group, members[1].user_id
    )
    # What the page's load does on every reconnect (called directly: a reconnect may get a
    # fresh state, which opens the group anew, when Reflex takes the tab for a duplicate).
    await removed_tab.call(CONVERSATION, "load", {})
    await removed_tab.wait_for(lambda c: left_seq in shown_seqs(c))
    try:
        assert removed_tab.var(CONVERSATION, "read_only") is True
    finally:
        await close_all(tabs)
