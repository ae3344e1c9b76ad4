"""Presence over the real protocol: many tabs, closed tabs, silent drops, friends only."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest

from chat_app.states.presence import CHECK_SECONDS, GRACE_SECONDS
from tests.realtime.conftest import Backend, running_backend
from tests.realtime.helpers import (
    PRESENCE,
    befriend,
    open_chat,
    register,
    sees_online,
    session_token,
    unique_username,
)

# Production pings are 25 s / 20 s (rxconfig.py; tests/test_rxconfig.py holds them to the
# bound): waiting out a silent drop with them would take ~48 s, so one backend of this
# module's own pings faster. The bound is the same formula: interval + timeout + the grace
# (plus slack for a loaded machine).
QUICK_PINGS = {"REFLEX_SOCKET_INTERVAL": "5", "REFLEX_SOCKET_TIMEOUT": "5"}
SILENT_DROP_BOUND = sum(float(seconds) for seconds in QUICK_PINGS.values()) + GRACE_SECONDS + 7


@pytest.fixture(scope="module", params=["embedded", "scaled"])
def quick_ping_backend(request, tmp_path_factory) -> Iterator[Backend]:
    with running_backend(
        request, tmp_path_factory, request.param, redis_db=5, **QUICK_PINGS
    ) as backend:
        yield backend


async def test_online_while_any_tab_is_open_and_offline_after_the_last(backend_url):
    ann_reg = await register(backend_url, unique_username("ann"))
    bob_reg = await register(backend_url, unique_username("bob"))
    ann_id, _bob_id = await befriend(ann_reg, bob_reg)
    await ann_reg.close()
    bob = await open_chat(backend_url, session_token(bob_reg))
    await bob.wait_for(lambda c: sees_online(c, ann_id) is False)

    ann_tab1 = await open_chat(backend_url, session_token(ann_reg))
    ann_tab2 = await open_chat(backend_url, session_token(ann_reg))
    await bob.wait_for(lambda c: sees_online(c, ann_id) is True, timeout=5)

    await ann_tab1.close()
    started = time.monotonic()
    # Well past the grace period Ann is still online: her other tab is open.
    while time.monotonic() - started < 5:
        assert sees_online(bob, ann_id) is True
        await _pause(bob, 0.5)

    await ann_tab2.close()
    started = time.monotonic()
    await bob.wait_for(lambda c: sees_online(c, ann_id) is False, timeout=10)
    print(f"closed last tab -> offline after {time.monotonic() - started:.1f} s")
    last_seen = (bob.var(PRESENCE, "last_seen") or {}).get(str(ann_id))
    assert last_seen
    await bob.close()
    await bob_reg.close()


async def friends_both_online(backend_url: str):
    """Ann and Bob are friends, each with one open chat tab; Bob sees Ann online."""
    ann_reg = await register(backend_url, unique_username("ann"))
    bob_reg = await register(backend_url, unique_username("bob"))
    ann_id, _ = await befriend(ann_reg, bob_reg)
    await ann_reg.close()
    bob = await open_chat(backend_url, session_token(bob_reg))
    ann = await open_chat(backend_url, session_token(ann_reg))
    await bob.wait_for(lambda c: sees_online(c, ann_id) is True, timeout=5)
    return ann, bob, bob_reg, ann_id


async def _pause(tab, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await tab.wait_for(lambda c: False, timeout=seconds)


async def test_silent_drop_goes_offline_within_the_bound_and_back_online_fast(
    quick_ping_backend: Backend,
):
    ann, bob, bob_reg, ann_id = await friends_both_online(quick_ping_backend.url)

    await ann.go_silent()  # no close frame, no more pongs: only the pings can tell
    started = time.monotonic()
    await bob.wait_for(lambda c: sees_online(c, ann_id) is False, timeout=SILENT_DROP_BOUND)
    print(f"silent drop -> offline after {time.monotonic() - started:.1f} s")

    started = time.monotonic()
    await ann.reconnect()
    await bob.wait_for(lambda c: sees_online(c, ann_id) is True, timeout=5)
    print(f"reconnect -> online after {time.monotonic() - started:.1f} s")
    for tab in (ann, bob, bob_reg):
        await tab.close()


async def test_non_friends_learn_nothing_about_presence(backend_url):
    ann_reg = await register(backend_url, unique_username("ann"))
    bob_reg = await register(backend_url, unique_username("bob"))
    cat_reg = await register(backend_url, unique_username("cat"))
    ann_id, _ = await befriend(ann_reg, bob_reg)
    cat = await open_chat(backend_url, session_token(cat_reg))
    bob = await open_chat(backend_url, session_token(bob_reg))
    ann = await open_chat(backend_url, session_token(ann_reg))
    await bob.wait_for(lambda c: sees_online(c, ann_id) is True, timeout=5)
    await ann.close()
    await ann_reg.close()
    await bob.wait_for(lambda c: sees_online(c, ann_id) is False, timeout=10)
    # Cat saw Ann come and go without a single presence frame about her.
    assert sees_online(cat, ann_id) is None
    presence_frames = [f for f in cat.frames if PRESENCE in f and f'"{ann_id}"' in f]
    assert presence_frames == []
    for tab in (bob, cat, bob_reg, cat_reg):
        await tab.close()


async def test_repeated_sentinel_calls_do_not_keep_a_closed_tab_online(backend_url):
    ann, bob, bob_reg, ann_id = await friends_both_online(backend_url)
    for _ in range(20):  # a hostile client asking for more sentinels
        await ann.call(PRESENCE, "track", {})
    await ann.close()
    await bob.wait_for(lambda c: sees_online(c, ann_id) is False, timeout=10)
    for tab in (bob, bob_reg):
        await tab.close()


async def test_a_sentinel_a_client_started_itself_ends_with_its_tab(backend_url):
    ann_reg = await register(backend_url, unique_username("ann"))
    bob_reg = await register(backend_url, unique_username("bob"))
    ann_id, _ = await befriend(ann_reg, bob_reg)
    bob = await open_chat(backend_url, session_token(bob_reg))
    # Ann's tab loaded no page with a sentinel: she is offline until it asks for one.
    await bob.wait_for(lambda c: sees_online(c, ann_id) is False)
    # Asked by the client, not by a page load: Reflex never cancels this one.
    await ann_reg.call(PRESENCE, "track", {})
    await bob.wait_for(lambda c: sees_online(c, ann_id) is True, timeout=5)

    await ann_reg.close()
    started = time.monotonic()
    # Within a check (one process) or a heartbeat (Redis), and the grace.
    bound = CHECK_SECONDS + GRACE_SECONDS + 7
    await bob.wait_for(lambda c: sees_online(c, ann_id) is False, timeout=bound)
    print(f"closed, sentinel of its own -> offline after {time.monotonic() - started:.1f} s")
    for tab in (bob, bob_reg):
        await tab.close()
