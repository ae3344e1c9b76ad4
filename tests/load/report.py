"""Figures of all rounds → medians with their spread, ratios to the peers, a Markdown table."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from tests.load.group_figures import cpu_against_relay, group_figures, group_sizes
from tests.load.scenarios import Plan
from tests.load.servers import APP, APP_SCALED, APP_SCALED_2, FLASK, RELAY, SERVERS

Result = dict[str, Any]
Reader = Callable[[Result], float | None]


def _bytes_at(history: int) -> Callable[[Result], float | None]:
    return lambda r: r["bytes"].get(str(history), {}).get("bytes_per_message")


def _fanout(size: int, figure: str) -> Callable[[Result], float | None]:
    return lambda r: r["fanout"]["runs"][size][figure]


def _step_at(rate: int, figure: str) -> Callable[[Result], float | None]:
    def read(result: Result) -> float | None:
        steps = [s for s in result["throughput"]["steps"] if s["offered_per_s"] == rate]
        return steps[0][figure] if steps else None

    return read


# (key, label, unit, how to read it from one server's result of one round)
FIGURES: list[tuple[str, str, str, Reader]] = [
    (
        "delivery_p50",
        "send → delivered p50 @ 100 msg/s",
        "ms",
        lambda r: r["latency"]["delivery_p50_ms"],
    ),
    (
        "delivery_p95",
        "send → delivered p95 @ 100 msg/s",
        "ms",
        lambda r: r["latency"]["delivery_p95_ms"],
    ),
    (
        "delivery_p99",
        "send → delivered p99 @ 100 msg/s",
        "ms",
        lambda r: r["latency"]["delivery_p99_ms"],
    ),
    ("ack_p50", "send → acknowledged p50 @ 100 msg/s", "ms", lambda r: r["latency"]["ack_p50_ms"]),
    ("ack_p99", "send → acknowledged p99 @ 100 msg/s", "ms", lambda r: r["latency"]["ack_p99_ms"]),
    (
        "delivery_p50_at_50",
        "send → delivered p50 @ 50 msg/s (step load)",
        "ms",
        _step_at(50, "delivery_p50_ms"),
    ),
    (
        "delivery_p99_at_50",
        "send → delivered p99 @ 50 msg/s (step load)",
        "ms",
        _step_at(50, "delivery_p99_ms"),
    ),
    (
        "sustained",
        "sustained rate with p99 < 100 ms",
        "msg/s",
        lambda r: r["throughput"]["sustained_per_s"],
    ),
    (
        "cpu",
        "server CPU per delivered message @ 100 msg/s",
        "ms",
        lambda r: r["latency"]["cpu_ms_per_message"],
    ),
    (
        "capacity",
        "messages per second per core (1 s ÷ CPU per message @ 100 msg/s)",
        "msg/s",
        lambda r: 1000 / r["latency"]["cpu_ms_per_message"],
    ),
    ("memory", "memory per connected client", "KB", lambda r: r["memory"]["kb_per_client"]),
    ("bytes_10", "bytes per message, 10 in history", "B", _bytes_at(10)),
    ("bytes_100", "bytes per message, 100 in history", "B", _bytes_at(100)),
    ("bytes_1000", "bytes per message, 1,000 in history", "B", _bytes_at(1000)),
    ("bytes_5000", "bytes per message, 5,000 in history", "B", _bytes_at(5000)),
    ("open_p50", "open a long conversation p50", "ms", lambda r: r["open"]["p50_ms"]),
    ("open_p99", "open a long conversation p99", "ms", lambda r: r["open"]["p99_ms"]),
    (
        "contacts_delivery_p50",
        "send → delivered p50 @ {contacts_rate} msg/s, {contacts_each} contacts each",
        "ms",
        lambda r: r["contacts"]["run"]["delivery_p50_ms"],
    ),
    (
        "contacts_delivery_p99",
        "send → delivered p99 @ {contacts_rate} msg/s, {contacts_each} contacts each",
        "ms",
        lambda r: r["contacts"]["run"]["delivery_p99_ms"],
    ),
    (
        "contacts_cpu",
        "server CPU per message, {contacts_each} contacts each",
        "ms",
        lambda r: r["contacts"]["cpu_ms_per_message"],
    ),
    (
        "contacts_bytes",
        "bytes per message, {contacts_each} contacts each",
        "B",
        lambda r: r["contacts"]["bytes_per_message"],
    ),
]


def _fanout_figures(size: int, name: str) -> list[tuple[str, str, str, Reader]]:
    tabs = f"{{fanout_{name}}} tabs"  # a placeholder that summarise fills
    return [
        (
            f"fanout_{name}_cpu",
            f"server CPU per delivered copy, one message to {tabs}",
            "ms",
            _fanout(size, "cpu_ms_per_copy"),
        ),
        (
            f"fanout_{name}_last_p50",
            f"send → delivered to the last of {tabs} p50",
            "ms",
            _fanout(size, "last_p50_ms"),
        ),
        (
            f"fanout_{name}_last_p99",
            f"send → delivered to the last of {tabs} p99",
            "ms",
            _fanout(size, "last_p99_ms"),
        ),
        (
            f"fanout_{name}_ack_p50",
            f"send → acknowledged p50, fan-out to {tabs}",
            "ms",
            _fanout(size, "ack_p50_ms"),
        ),
    ]


FIGURES += _fanout_figures(0, "small") + _fanout_figures(1, "large")
FIGURES += [
    (
        "connect",
        "connect {connections} tabs (the app's: hydrate, load, open a conversation)",
        "s",
        lambda r: r["connections"]["connect_s"],
    ),
    (
        "connect_cpu",
        "server CPU per tab connected (of {connections})",
        "ms",
        lambda r: r["connections"]["connect_cpu_ms_per_tab"],
    ),
    (
        "idle_cpu",
        "server CPU with {connections} tabs connected, idle",
        "% of a core",
        lambda r: r["connections"]["idle_cpu_percent"],
    ),
    (
        "connected_memory",
        "server memory with {connections} tabs connected",
        "MB",
        lambda r: r["connections"]["rss_mb"],
    ),
]
FIGURES += group_figures()


def _sizes(plan: Plan) -> dict[str, str]:
    """What the labels' placeholders stand for in this plan."""
    return {
        "contacts_rate": f"{plan.contacts_rate:,}",
        "contacts_each": f"{plan.contacts_users - 1:,}",
        "fanout_small": f"{plan.fanout_tabs[0]:,}",
        "fanout_large": f"{plan.fanout_tabs[1]:,}",
        "connections": f"{plan.connections:,}",
        **group_sizes(plan),
    }


def _read(read: Reader, result: Result) -> float | None:
    """A figure of one server's result; None when its phase did not run (`--phases`)."""
    try:
        return read(result)
    except (KeyError, IndexError, ZeroDivisionError):
        return None


def summarise(rounds: list[dict[str, Any]], plan: Plan | None = None) -> dict[str, Any]:
    """Median, min and max of every figure per server over the rounds, and app ratios.

    Labels name the sizes of `plan` (the full benchmark's by default).
    """
    sizes = _sizes(plan or Plan())
    summary: dict[str, Any] = {}
    for key, label, unit, read in FIGURES:
        row: dict[str, Any] = {"label": label.format(**sizes), "unit": unit}
        for server in SERVERS:
            values = [
                value
                for one_round in rounds
                if server in one_round and (value := _read(read, one_round[server])) is not None
            ]
            if values:
                row[server] = _spread(values)
        for peer in (RELAY, FLASK):
            if APP in row and peer in row and row[peer]["median"]:
                row[f"app/{peer}"] = row[APP]["median"] / row[peer]["median"]
        if APP in row and APP_SCALED in row and row[APP]["median"]:
            row["scaled/app"] = row[APP_SCALED]["median"] / row[APP]["median"]
        if APP_SCALED in row and APP_SCALED_2 in row and row[APP_SCALED]["median"]:
            row["2 workers/1"] = row[APP_SCALED_2]["median"] / row[APP_SCALED]["median"]
        if any(server in row for server in SERVERS):
            summary[key] = row
    summary.update(_against_relay(rounds, sizes))
    starts = [float(r["make_run_s"]) for r in rounds if r.get("make_run_s") is not None]
    if starts:
        summary["make_run"] = {
            "label": "`make run` → first page served (warm clone)",
            "unit": "s",
            APP: {"median": statistics.median(starts), "min": min(starts), "max": max(starts)},
        }
    return summary


def _spread(values: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "rounds": values,
    }


def _against_relay(rounds: list[dict[str, Any]], sizes: dict[str, str]) -> dict[str, Any]:
    """The rows that divide an app server's figure by the relay's of the same round."""
    rows: dict[str, Any] = {}
    for key, label, unit, read in cpu_against_relay():
        row: dict[str, Any] = {"label": label.format(**sizes), "unit": unit}
        for server in SERVERS:
            values = [
                value
                for one_round in rounds
                if server in one_round and RELAY in one_round
                if (value := _read(read, {"server": one_round[server], "relay": one_round[RELAY]}))
                is not None
            ]
            if values:
                row[server] = _spread(values)
        if any(server in row for server in SERVERS):
            rows[key] = row
    return rows


def _cell(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "-"
    median, low, high = entry["median"], entry["min"], entry["max"]
    digits = 0 if median >= 100 else 1 if median >= 10 else 2
    if low == high:
        return f"{median:,.{digits}f}"
    return f"{median:,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"


def markdown(summary: dict[str, Any], rounds: int) -> str:
    """The table of docs/performance.md: median (min-max) over the rounds, and app ÷ peer.

    The scaled profile's columns (scaled ÷ app, 2 workers ÷ 1) appear when measured.
    """
    scaled = any(APP_SCALED in row for row in summary.values())
    two = any(APP_SCALED_2 in row for row in summary.values())
    header = f"| figure ({rounds} rounds: median (min-max)) | unit | app | {RELAY} | {FLASK} "
    header += "| app ÷ relay | app ÷ Flask |"
    rule = "|---|---|---|---|---|---|---|"
    if scaled:
        header += f" {APP_SCALED} | scaled ÷ app |"
        rule += "---|---|"
    if two:
        header += f" {APP_SCALED_2} | 2 workers ÷ 1 |"
        rule += "---|---|"
    lines = [header, rule]
    for row in summary.values():
        ratios = [row.get(f"app/{peer}") for peer in (RELAY, FLASK)]
        line = (
            f"| {row['label']} | {row['unit']} | {_cell(row.get(APP))} | {_cell(row.get(RELAY))} "
            f"| {_cell(row.get(FLASK))} | " + " | ".join(_ratio(r) for r in ratios) + " |"
        )
        if scaled:
            line += f" {_cell(row.get(APP_SCALED))} | {_ratio(row.get('scaled/app'))} |"
        if two:
            line += f" {_cell(row.get(APP_SCALED_2))} | {_ratio(row.get('2 workers/1'))} |"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
