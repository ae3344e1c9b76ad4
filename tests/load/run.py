"""`make bench`: the app and its two peers, interleaved, each alone on its core, N rounds.

Usage: python -m tests.load.run [--rounds 3] [--quick] [--out DIR] [--servers app,relay,flask]
                                [--phases latency,throughput,...]
Writes DIR/bench.json (every figure of every round) and DIR/bench.md (docs/performance.md's table).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tests.load import scenarios
from tests.load.added_phases import ADDED, measure_added, seed_added
from tests.load.clients import AppUser, PeerUser, quiet
from tests.load.recorder import Recorder
from tests.load.report import markdown, summarise
from tests.load.scenarios import Plan
from tests.load.seed import (
    Seeded,
    peer_users,
    seed_app_history,
    seed_app_users,
    seed_peer_history,
)
from tests.load.servers import (
    APP,
    APP_SCALED,
    APP_SCALED_2,
    APPS,
    FLASK,
    RELAY,
    SCALED,
    SERVERS,
    app_environment_for,
    pin_generator,
    raise_open_file_limit,
    scaled_engines,
    start_server,
)
from tests.support.live_app import PROJECT_DIR, free_port, server_process

SHORT_NAMES = {
    "app": APP,
    "relay": RELAY,
    "flask": FLASK,
    "app-scaled": APP_SCALED,
    "app-scaled-2": APP_SCALED_2,
}
PHASES = ("latency", "throughput", "bytes", "open", "memory", *ADDED, "make_run")
# The two-worker variant is there for throughput and the CPU per message.
TWO_WORKER_PHASES = {"latency", "throughput"}


def _groups(seeded: list[Seeded], plan: Plan) -> dict[str, Any]:
    """Split the seeded users: live pairs, one group per history length, the long
    conversation's pair, and the memory crowd."""
    at = 2 * plan.pairs
    groups: dict[str, Any] = {"live": seeded[:at], "bytes": {}}
    for history in plan.histories:
        groups["bytes"][history] = seeded[at : at + 2 * plan.bytes_pairs]
        at += 2 * plan.bytes_pairs
    groups["long"] = seeded[at : at + 2]
    at += 2
    groups["memory"] = seeded[at : at + plan.memory_clients[1]]
    return groups


def _pairs(users: list[Seeded]) -> list[tuple[Seeded, Seeded]]:
    return [(users[n], users[n + 1]) for n in range(0, len(users), 2)]


def _prepare(
    kind: str, plan: Plan, workdir: Path, stack: contextlib.ExitStack, phases: set[str]
) -> tuple[dict[str, Any], Any, Any, tuple[int, ...]]:
    """Seed the server's database before it starts; returns groups, env, log, engine pids."""
    env = log = None
    engine_pids: tuple[int, ...] = ()
    if kind in APPS:
        variables: dict[str, str] = {}
        if kind in SCALED:
            variables, engine_pids = stack.enter_context(scaled_engines(SCALED[kind]))
        env, log = app_environment_for(workdir, **variables)
        database = env["REFLEX_DB_URL"]
        groups = _groups(seed_app_users(database, plan.user_count()), plan)
        seed_history = seed_app_history
    else:
        database = str(workdir / "peer.db")
        groups = _groups(peer_users(plan.user_count()), plan)
        seed_history = seed_peer_history
    if "bytes" in phases:
        for history, users in groups["bytes"].items():
            for pair in _pairs(users):
                seed_history(database, pair, history)
    if "open" in phases:
        seed_history(database, (groups["long"][0], groups["long"][1]), plan.big_history)
    groups.update(seed_added(kind, plan, database, phases))
    return groups, env, log, engine_pids


async def _run_server(kind: str, plan: Plan, workdir: Path, phases: set[str]) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        groups, env, log, engine_pids = _prepare(kind, plan, workdir, stack, phases)
        server = stack.enter_context(start_server(kind, workdir, env, log, engine_pids))
        return await _measure(kind, plan, server, groups, phases)


async def _measure(
    kind: str, plan: Plan, server: Any, groups: dict[str, Any], phases: set[str]
) -> dict[str, Any]:
    """The chosen phases against one running server, in the order of PHASES."""

    def users(seeded: list[Seeded]) -> list[Any]:
        if kind in APPS:
            return [AppUser(server.url, s.index, s.token, s.friend_id, Recorder()) for s in seeded]
        return [PeerUser(server.url, s.index, s.user_id, s.friend_id, Recorder()) for s in seeded]

    result: dict[str, Any] = {}
    if phases & {"latency", "throughput"}:
        live = users(groups["live"])
        await scenarios.start_all(live)
        quiet(live)
        if "latency" in phases:
            result["latency"] = await scenarios.latency(server, live, plan)
        if "throughput" in phases:
            result["throughput"] = await scenarios.stepped_load(server, live, plan)
        await scenarios.close_all(live)
    if "bytes" in phases:
        result["bytes"] = {}
        for history, seeded in groups["bytes"].items():
            group = users(seeded)
            result["bytes"][str(history)] = await scenarios.bytes_per_message(server, group, plan)
    if "open" in phases:
        await scenarios.wait_idle(server)
        result["open"] = await scenarios.open_long_conversation(users(groups["long"])[0], plan)
    if "memory" in phases:
        await scenarios.wait_idle(server)
        result["memory"] = await scenarios.memory_per_client(server, users(groups["memory"]), plan)
    result.update(await measure_added(kind, plan, server, groups, phases, users))
    return result


def time_make_run(workdir: Path) -> float:
    """Seconds from `make run` (warm clone) to the first page served on its port."""
    port = free_port()
    env = {
        **os.environ,
        "REFLEX_DB_URL": f"sqlite:///{workdir / 'chat.db'}",
        "CHAT_DATA_DIR": str(workdir / "data"),
    }
    started = time.monotonic()
    make = [shutil.which("make") or "make", "run", f"PORT={port}"]
    with server_process(make, f"http://127.0.0.1:{port}/", env, workdir / "make-run.log"):
        return time.monotonic() - started


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny loads (a smoke run)")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "bench-results")
    parser.add_argument("--servers", default="app,relay,flask")
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"a comma list of {', '.join(PHASES)} (default: all; app-scaled-2 runs only "
        "latency and throughput, the peers no groups)",
    )
    args = parser.parse_args(argv)
    plan = scenarios.QUICK if args.quick else Plan()
    kinds = [SHORT_NAMES[name] for name in args.servers.split(",")]
    phases = set(args.phases.split(","))
    if unknown := phases - set(PHASES):
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    open_files = raise_open_file_limit()
    pin_generator()
    rounds: list[dict[str, Any]] = []
    for number in range(1, args.rounds + 1):
        one_round: dict[str, Any] = {}
        for kind in kinds:
            print(f"round {number}: {kind}", flush=True)
            chosen = phases & TWO_WORKER_PHASES if kind == APP_SCALED_2 else phases
            with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
                one_round[kind] = asyncio.run(_run_server(kind, plan, Path(tmp), chosen))
            print(json.dumps(_headline(one_round[kind])), flush=True)
        if not args.quick and APP in kinds and "make_run" in phases:
            with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
                one_round["make_run_s"] = time_make_run(Path(tmp))
        rounds.append(one_round)
    summary = summarise(rounds, plan)
    report = {
        "machine": {**machine(), "open_files": open_files},
        "phases": [phase for phase in PHASES if phase in phases],
        "plan": asdict(plan),
        "servers": [kind for kind in SERVERS if kind in kinds],
        "summary": summary,
        "rounds": rounds,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(report, indent=1))
    (args.out / "bench.md").write_text(markdown(summary, len(rounds)))
    print(markdown(summary, len(rounds)))
    return report


def _headline(result: dict[str, Any]) -> dict[str, Any]:
    """A line per server while the run goes on: the figures of the phases that ran."""
    headline: dict[str, Any] = {}
    if latency := result.get("latency"):
        headline["p50"] = round(latency["delivery_p50_ms"], 2)
        headline["p99"] = round(latency["delivery_p99_ms"], 2)
    if throughput := result.get("throughput"):
        headline["sustained"] = throughput["sustained_per_s"]
    if "bytes" in result:
        headline["bytes"] = {h: round(b["bytes_per_message"]) for h, b in result["bytes"].items()}
    if memory := result.get("memory"):
        headline["kb_per_client"] = round(memory["kb_per_client"], 1)
    if opened := result.get("open"):
        headline["open_p99"] = round(opened["p99_ms"], 2)
    if contacts := result.get("contacts"):
        headline["contacts_p99"] = round(contacts["run"]["delivery_p99_ms"], 2)
        headline["contacts_bytes"] = round(contacts["bytes_per_message"])
    if fanout := result.get("fanout"):
        headline["fanout_ms_per_copy"] = [round(r["cpu_ms_per_copy"], 3) for r in fanout["runs"]]
    if connections := result.get("connections"):
        headline["connect_s"] = round(connections["connect_s"], 1)
        headline["idle_cpu_percent"] = round(connections["idle_cpu_percent"], 1)
    if groups := result.get("groups"):
        # None: no message reached every member.
        headline["groups_last_p99"] = {
            size["members"]: [
                None if (p99 := size[run]["last_p99_ms"]) is None else round(p99)
                for run in ("steady", "burst")
            ]
            for size in groups["sizes"]
        }
    return headline


if __name__ == "__main__":
    main()
