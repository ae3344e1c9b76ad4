"""Figures of all rounds → medians with their spread, ratios to the peers, a Markdown table."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from tests.load.servers import APP, APP_SCALED, FLASK, RELAY, SERVERS

Result = dict[str, Any]


def _bytes_at(history: int) -> Callable[[Result], float | None]:
    return lambda r: r["bytes"].get(str(history), {}).get("bytes_per_message")


def _step_at(rate: int, figure: str) -> Callable[[Result], float | None]:
    def read(result: Result) -> float | None:
        steps = [s for s in result["throughput"]["steps"] if s["offered_per_s"] == rate]
        return steps[0][figure] if steps else None

    return read


# (key, label, unit, how to read it from one server's result of one round)
FIGURES: list[tuple[str, str, str, Callable[[Result], float | None]]] = [
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
    ("memory", "memory per connected client", "KB", lambda r: r["memory"]["kb_per_client"]),
    ("bytes_10", "bytes per message, 10 in history", "B", _bytes_at(10)),
    ("bytes_100", "bytes per message, 100 in history", "B", _bytes_at(100)),
    ("bytes_1000", "bytes per message, 1,000 in history", "B", _bytes_at(1000)),
    ("bytes_5000", "bytes per message, 5,000 in history", "B", _bytes_at(5000)),
    ("open_p50", "open a long conversation p50", "ms", lambda r: r["open"]["p50_ms"]),
    ("open_p99", "open a long conversation p99", "ms", lambda r: r["open"]["p99_ms"]),
]


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Median, min and max of every figure per server over the rounds, and app ratios."""
    summary: dict[str, Any] = {}
    for key, label, unit, read in FIGURES:
        row: dict[str, Any] = {"label": label, "unit": unit}
        for server in SERVERS:
            values = [
                value
                for one_round in rounds
                if server in one_round and (value := read(one_round[server])) is not None
            ]
            if values:
                row[server] = {
                    "median": statistics.median(values),
                    "min": min(values),
                    "max": max(values),
                    "rounds": values,
                }
        for peer in (RELAY, FLASK):
            if APP in row and peer in row and row[peer]["median"]:
                row[f"app/{peer}"] = row[APP]["median"] / row[peer]["median"]
        if APP in row and APP_SCALED in row and row[APP]["median"]:
            row["scaled/app"] = row[APP_SCALED]["median"] / row[APP]["median"]
        summary[key] = row
    starts = [float(r["make_run_s"]) for r in rounds if r.get("make_run_s") is not None]
    if starts:
        summary["make_run"] = {
            "label": "`make run` → first page served (warm clone)",
            "unit": "s",
            APP: {"median": statistics.median(starts), "min": min(starts), "max": max(starts)},
        }
    return summary


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

    The scaled profile's column (and scaled ÷ app) appears when it was measured.
    """
    scaled = any(APP_SCALED in row for row in summary.values())
    header = f"| figure ({rounds} rounds: median (min-max)) | unit | app | {RELAY} | {FLASK} "
    header += "| app ÷ relay | app ÷ Flask |"
    rule = "|---|---|---|---|---|---|---|"
    if scaled:
        header += f" {APP_SCALED} | scaled ÷ app |"
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
        lines.append(line)
    return "\n".join(lines) + "\n"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
