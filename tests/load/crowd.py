"""Phases with many tabs: thousands connected and idle, and one change fanned out to the
many tabs of one user.

The app's tabs hydrate, run the page's on_load handlers and open a conversation, as in the
other phases; the peers' clients connect and ask for a conversation's newest page.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from tests.load import scenarios
from tests.load.clients import quiet
from tests.load.recorder import Recorder, percentile
from tests.load.scenarios import Plan, User
from tests.load.servers import RunningServer

# Waiting for one message to reach every tab: far beyond any p99 measured.
DELIVERY_TIMEOUT = 60.0


async def connect_batched(users: Sequence[User], batch: int = 50) -> int:
    """Connect users (each opens its conversation) a batch at a time; how many failed."""
    failed = 0
    for first in range(0, len(users), batch):
        starts = (user.start(True) for user in users[first : first + batch])
        results = await asyncio.gather(*starts, return_exceptions=True)
        failed += sum(isinstance(result, BaseException) for result in results)
    return failed


async def connections(server: RunningServer, users: Sequence[Any], plan: Plan) -> dict[str, Any]:
    """Time to connect every tab (each with a conversation open), then the idle server's
    CPU (engine pings, presence, timers) and memory with all of them connected."""
    await scenarios.wait_idle(server)
    rss_before = server.rss_bytes()
    cpu_connecting, started = server.cpu_seconds(), time.monotonic()
    failed = await connect_batched(users)
    connect_s = time.monotonic() - started
    # The wall time above depends on what else the core runs; the CPU does much less.
    cpu_connecting = server.cpu_seconds() - cpu_connecting
    quiet(users)
    # Work the connections left behind (presence announcements) is not idle time.
    await scenarios.wait_idle(server)
    rss = server.rss_bytes()
    cpu_before, idle_from = server.cpu_seconds(), time.monotonic()
    await asyncio.sleep(plan.idle_seconds)
    idle = (server.cpu_seconds() - cpu_before) / (time.monotonic() - idle_from)
    still_open = sum(not user.closed for user in users)
    await scenarios.close_all(users)
    return {
        "tabs": len(users),
        "connected": len(users) - failed,
        "open_after_idle": still_open,
        "connect_s": connect_s,
        "connect_cpu_ms_per_tab": cpu_connecting * 1000 / max(1, len(users)),
        "idle_seconds": plan.idle_seconds,
        "idle_cpu_percent": idle * 100,
        "rss_mb": rss / 2**20,
        "kb_per_tab": (rss - rss_before) / 1024 / max(1, len(users)),
    }


async def fan_out(
    server: RunningServer, sender: Any, tabs_of_recipient: Callable[[int], list[Any]], plan: Plan
) -> dict[str, Any]:
    """One user's messages pushed to the many tabs of one friend, at each size of
    `plan.fanout_tabs` (the tabs of the smaller size stay for the larger one)."""
    await sender.start(True)
    tabs: list[Any] = []
    runs = []
    for size in plan.fanout_tabs:
        more = tabs_of_recipient(size - len(tabs))
        failed = await connect_batched(more)
        tabs += more
        quiet([sender, *tabs])
        run = await _fan_out_to(server, sender, tabs, plan)
        runs.append({**run, "failed_to_connect": failed})
    await scenarios.close_all([sender, *tabs])
    return {"runs": runs}


async def _fan_out_to(
    server: RunningServer, sender: Any, tabs: Sequence[Any], plan: Plan
) -> dict[str, Any]:
    """Messages one at a time (the next one leaves once the last tab has the previous one,
    and at most one per `fanout_interval_seconds`); CPU per delivered copy, net of the
    idle server's CPU measured just before."""
    sent: dict[tuple[int, int], int] = {}
    sender.recorder = Recorder(sent=sent, active=False)
    for tab in tabs:
        tab.recorder = Recorder(sent=sent)
    await sender.send_message()  # a warm-up, not recorded
    await scenarios.wait_idle(server)
    # The idle server's pings and timers are taken out of the fan-out's cost.
    idle_rate = await _idle_cpu(server, min(3.0, plan.idle_seconds / 2))
    sender.recorder.active = True
    loop = asyncio.get_running_loop()
    cpu_before, started = server.cpu_seconds(), time.monotonic()
    for _ in range(plan.fanout_messages):
        leaves = loop.time()
        await sender.send_message()
        key = next(reversed(sent))
        await scenarios.wait_until(
            lambda key=key: all(key in tab.recorder.delivered for tab in tabs), DELIVERY_TIMEOUT
        )
        await asyncio.sleep(max(0.0, leaves + plan.fanout_interval_seconds - loop.time()))
    acknowledged = sender.recorder.acknowledged
    await scenarios.wait_until(lambda: len(acknowledged) == len(sent), plan.drain_seconds)
    # Read cursors and receipts follow a delivery by up to a second: part of its cost.
    await scenarios.wait_idle(server)
    seconds = time.monotonic() - started
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000
    copies = sum(len(tab.recorder.delivered) for tab in tabs)
    net_ms = cpu_ms - idle_rate * seconds * 1000
    return {
        "tabs": len(tabs),
        "messages": len(sent),
        "copies_expected": len(sent) * len(tabs),
        "copies_delivered": copies,
        "duplicates": sum(tab.recorder.duplicates for tab in tabs),
        "acknowledged": len(acknowledged),
        **_timings(sent, acknowledged, tabs),
        "idle_cpu_percent": idle_rate * 100,
        "cpu_ms_per_copy": net_ms / max(1, copies),
        "cpu_ms_per_copy_with_idle": cpu_ms / max(1, copies),
        "seconds": seconds,
    }


async def _idle_cpu(server: RunningServer, seconds: float) -> float:
    """The server's CPU over a quiet moment, in seconds per second."""
    before, started = server.cpu_seconds(), time.monotonic()
    await asyncio.sleep(seconds)
    return (server.cpu_seconds() - before) / (time.monotonic() - started)


def _timings(
    sent: dict[tuple[int, int], int], acknowledged: dict[tuple[int, int], int], tabs: Sequence[Any]
) -> dict[str, float]:
    """Per message: send → the first and the last tab's copy, and send → acknowledged."""
    first, last = [], []
    for key, sent_ns in sent.items():
        arrivals = [tab.recorder.delivered[key] for tab in tabs if key in tab.recorder.delivered]
        if len(arrivals) == len(tabs):
            first.append((min(arrivals) - sent_ns) / 1e6)
            last.append((max(arrivals) - sent_ns) / 1e6)
    acks = [(acknowledged[key] - sent[key]) / 1e6 for key in acknowledged]
    return {
        "first_p50_ms": percentile(first, 0.50),
        "last_p50_ms": percentile(last, 0.50),
        "last_p99_ms": percentile(last, 0.99),
        "ack_p50_ms": percentile(acks, 0.50),
        "ack_p99_ms": percentile(acks, 0.99),
    }
