"""One measuring process of `tests.load.push_floor` (see there): the pushes, timed.

Started by `push_floor` with `REFLEX_REDIS_URL` (and `REFLEX_OPLOCK_ENABLED`) already in
its environment, so the app imported here builds its scaled profile on that Redis. Prints
one JSON object: each case's CPU per push, and for the app's push its Redis round trips,
state sizes and, with `--profile`, where its time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, cast

import reflex as rx
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from reflex.app import _sio_dumps
from reflex.istate.manager.redis import StateManagerRedis
from reflex.state import StateUpdate
from reflex.utils.token_manager import SocketRecord
from reflex_base.event.context import EventContext

from chat_app.chat_app import app
from chat_app.realtime import push, timers
from chat_app.realtime.profile import PROFILE
from chat_app.states.chime import ChimeRound
from chat_app.states.conversation import ConversationState
from chat_app.states.message_push import _message_arrived
from tests.load.push_floor_tab import member_tab, throwaway_database

Round = Callable[[int], Awaitable[None]]
FIRST_USER = 10_000  # registry-only user ids, one per member tab


class FloorCounter(rx.State):
    """The floor's state: one substate of the root, holding one int."""

    count: int = 0


class Socket:
    """Stands in for the tabs' sockets: an update is serialised as Socket.IO would, not sent."""

    def __init__(self) -> None:
        self.frames = 0
        self.bytes = 0

    async def emit(self, _event: str, update: StateUpdate, to: str) -> None:
        self.frames += 1
        self.bytes += len(_sio_dumps(["event", update]).encode())


async def _redis_cpu(redis: Redis) -> float:
    info = await redis.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


async def measure(redis: Redis, one_round: Round, rounds: int, per_round: int) -> dict[str, Any]:
    """CPU of this process and of Redis per push over `rounds` rounds of `per_round` pushes.

    Redis's idle CPU (its timers), measured for a second before, is taken off.
    """
    idle_start, idle_wall = await _redis_cpu(redis), time.monotonic()
    await asyncio.sleep(1.0)  # not synchronisation: a second of idle Redis, to subtract
    idle_rate = (await _redis_cpu(redis) - idle_start) / (time.monotonic() - idle_wall)
    redis_start, app_start, wall = await _redis_cpu(redis), time.process_time(), time.monotonic()
    for n in range(rounds):
        await one_round(n)
    elapsed = time.monotonic() - wall
    app_cpu = time.process_time() - app_start
    redis_cpu = max(0.0, await _redis_cpu(redis) - redis_start - idle_rate * elapsed)
    pushes = rounds * per_round
    return {
        "pushes": pushes,
        "app_ms": 1000 * app_cpu / pushes,
        "redis_ms": 1000 * redis_cpu / pushes,
        "total_ms": 1000 * (app_cpu + redis_cpu) / pushes,
        "wall_ms": 1000 * elapsed / pushes,
    }


def _census(managers: list[StateManagerRedis]) -> tuple[Counter[str], Counter[str], Any]:
    """Count Redis commands (round trips) and bytes loaded/saved per state, until undone."""
    commands: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    execute, pipelined = Redis.execute_command, Pipeline.execute

    async def counted(self: Redis, *args: Any, **options: Any) -> Any:
        commands[str(args[0]).upper()] += 1
        reply = await execute(self, *args, **options)
        if str(args[0]).upper() == "MGET":
            for key, value in zip(args[1:], cast(list[Any], reply), strict=True):
                sizes["loaded " + _state_name(key)] += len(value or b"")
        return reply

    async def counted_pipeline(self: Pipeline, *args: Any, **options: Any) -> Any:
        commands["PIPELINE"] += 1
        return await pipelined(self, *args, **options)

    Redis.execute_command = counted  # type: ignore[method-assign]
    Pipeline.execute = counted_pipeline  # type: ignore[method-assign]
    undo: list[Callable[[], None]] = []
    for manager in managers:
        collect = manager._collect_state_writes

        def writes(token: Any, state: Any, collect: Any = collect) -> list[tuple[str, bytes]]:
            found = collect(token, state)
            for key, pickled in found:
                sizes["saved " + _state_name(key)] += len(pickled)
            return found

        manager._collect_state_writes = writes  # type: ignore[method-assign]
        undo.append(lambda manager=manager: vars(manager).pop("_collect_state_writes", None))

    def restore() -> None:
        Redis.execute_command = execute  # type: ignore[method-assign]
        Pipeline.execute = pipelined  # type: ignore[method-assign]
        for step in undo:
            step()

    return commands, sizes, restore


def _state_name(key: str | bytes) -> str:
    text = key.decode() if isinstance(key, bytes) else key
    return text.split("_", 1)[1].rsplit(".", 1)[-1]


def _per_push(counter: Counter[str], pushes: int) -> dict[str, float]:
    return {name: round(count / pushes, 2) for name, count in sorted(counter.items())}


# Steps of a push, by function (file suffix, name): their cumulative share of the profile.
PARTS = (
    ("tab lookup (registry)", "realtime/registry.py", "tokens_of_audiences"),
    ("lock (SET NX)", "manager/redis.py", "_try_get_lock"),
    ("load (MGET, unpickle)", "manager/redis.py", "get_state"),
    ("  unpickle", "reflex/state.py", "_deserialize"),
    ("the app's change (_show_arrived)", "states/message_push.py", "_show_arrived"),
    ("delta (_get_resolved_delta)", "reflex/state.py", "_get_resolved_delta"),
    ("save + release (pickle, EVAL)", "realtime/redis_saves.py", "set_state"),
    ("  pickle", "reflex/state.py", "_serialize"),
    ("emit (StateUpdate to JSON)", "reflex/app.py", "emit_update"),
    ("Redis client, all commands", "asyncio/client.py", "execute_command"),
    ("waiting for Redis (epoll)", "~", "<method 'poll' of 'select.epoll' objects>"),
)


def _profile_lines(profile: cProfile.Profile, top: int = 12) -> list[str]:
    """The push's steps and the functions with the most own time, as profile shares."""
    entries = pstats.Stats(profile).stats  # type: ignore[attr-defined]  (its documented table)
    total = sum(row[2] for row in entries.values()) or 1.0
    lines = []
    for label, suffix, function in PARTS:
        cumulative = sum(
            row[3]
            for (path, _line, name), row in entries.items()
            if name == function and path.endswith(suffix)
        )
        lines.append(f"{100 * cumulative / total:5.1f} %  {label}")
    lines.append("own time:")
    rows = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:top]
    for (path, line, name), row in rows:
        where = "/".join(path.split("/")[-2:])
        lines.append(f"{100 * row[2] / total:5.1f} %  {name} ({where}:{line})")
    return lines


async def main(args: argparse.Namespace) -> dict[str, Any]:
    """Measure every case on a throw-away database; returns the figures."""
    with throwaway_database():
        return await _measure(args)


async def _measure(args: argparse.Namespace) -> dict[str, Any]:
    timers.start_once = _no_timer  # the read a second later is an event of its own
    socket = Socket()
    namespace = app.event_namespace
    assert namespace is not None
    namespace.emit = socket.emit  # type: ignore[method-assign]
    token_manager = namespace._token_manager
    push.bind_app(app)
    manager = app.state_manager
    assert isinstance(manager, StateManagerRedis)
    redis = manager.redis
    await redis.flushdb()
    reflex_manager = StateManagerRedis(redis=Redis.from_url(str(args.redis_url)))
    tabs = [f"member-{n}" for n in range(args.tabs)]
    users = [FIRST_USER + n for n in range(args.tabs)]
    for n, tab in enumerate(tabs):
        token_manager.token_to_socket[tab] = SocketRecord(
            instance_id=token_manager.instance_id, sid=f"sid-{n}"
        )
        await PROFILE.tab_registry.register(users[n], tab, "bench")
    rounds = max(1, args.pushes // args.tabs)
    warm = max(1, rounds // 10)
    census_rounds = max(1, 50 // args.tabs)
    profiled = max(1, 500 // args.tabs) if args.profile else 0
    tab = await member_tab(2 * warm + rounds + census_rounds + profiled)
    for member in tabs:
        await manager.set_state(rx.BaseStateToken(ident=member, cls=rx.State), tab.root)
    result: dict[str, Any] = {"oplock": manager._oplock_enabled, "tabs": args.tabs}

    async def floor_round(_n: int) -> None:
        for member in tabs:
            token = rx.BaseStateToken(ident=member, cls=FloorCounter)
            async with reflex_manager.modify_state(token) as root:
                (await root.get_state(FloorCounter)).count += 1
                update = await root._get_resolved_delta()
                root._clean()
                await namespace.emit_update(StateUpdate(delta=update), token=member)

    # Pushes are queued by the sender's event and run in its context (its state manager).
    sender = EventContext(
        token="ann-tab", state_manager=manager, enqueue_impl=cast(Any, None), txid=""
    )

    async def counter_round(_n: int) -> None:
        with sender.fork():
            await push.notify_each_patiently([(users, _bump)], FloorCounter)
            await push.settled()

    messages = iter(tab.arriving)

    async def member_round(_n: int) -> None:
        arrived = _message_arrived(next(messages), tab.group_id, tab.sender_nickname, ChimeRound())
        with sender.fork():
            await push.notify_each_patiently([(users, arrived)], ConversationState)
            await push.settled()

    cases = {"floor": floor_round, "app_push_small_state": counter_round, "app_push": member_round}
    for name, one_round in cases.items():
        for n in range(warm):
            await one_round(n)
        frames = socket.frames
        result[name] = await measure(redis, one_round, rounds, args.tabs)
        # Every push sends its tab an update: fewer frames means pushes failed (logged).
        assert socket.frames - frames == rounds * args.tabs, f"{name}: pushes failed"
    frames_before = socket.frames, socket.bytes
    commands, sizes, restore = _census([manager])
    for n in range(census_rounds):
        await member_round(n)
    restore()
    census_pushes = census_rounds * args.tabs
    result["app_push"]["round_trips"] = _per_push(commands, census_pushes)
    result["app_push"]["bytes"] = _per_push(sizes, census_pushes)
    result["app_push"]["update_bytes"] = (socket.bytes - frames_before[1]) / census_pushes
    commands, sizes, restore = _census([reflex_manager])
    for n in range(census_rounds):
        await floor_round(n)
    restore()
    result["floor"]["round_trips"] = _per_push(commands, census_pushes)
    result["floor"]["bytes"] = _per_push(sizes, census_pushes)
    if profiled:
        profile = cProfile.Profile()
        profile.enable()
        for n in range(profiled):
            await member_round(n)
        profile.disable()
        result["app_push"]["profile"] = _profile_lines(profile)
    await reflex_manager.close()
    return result


async def _bump(state: FloorCounter) -> None:
    state.count += 1


def _no_timer(*_args: Any) -> None:
    return None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--pushes", type=int, default=2000)
    parser.add_argument("--tabs", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
