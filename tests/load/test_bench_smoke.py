"""`make bench` keeps working: a quick run of every phase against the app (on both
profiles, and with two workers on the scaled one) and both peers (which have no groups)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.load.report import FIGURES
from tests.load.scenarios import QUICK
from tests.load.servers import APP_SCALED_2, APPS, SERVERS
from tests.support.live_app import PROJECT_DIR

# What the two-worker variant measures: the latency and stepped-load phases.
TWO_WORKER_FIGURES = {
    "delivery_p50",
    "delivery_p95",
    "delivery_p99",
    "ack_p50",
    "ack_p99",
    "delivery_p50_at_50",
    "delivery_p99_at_50",
    "sustained",
    "cpu",
    "capacity",
}


def test_a_quick_bench_run_reports_every_figure_for_every_server(tmp_path: Path):
    quick_run = ["--quick", "--rounds", "1", "--servers", "app,relay,flask,app-scaled,app-scaled-2"]
    subprocess.run(
        [sys.executable, "-m", "tests.load.run", *quick_run, "--out", tmp_path],
        cwd=PROJECT_DIR,
        check=True,
        timeout=600,
    )
    report = json.loads((tmp_path / "bench.json").read_text())
    assert "| figure" in (tmp_path / "bench.md").read_text()
    (one_round,) = report["rounds"]
    quick_figures = [key for key, *_ in FIGURES if not key.startswith(("bytes_1000", "bytes_5000"))]
    # The quick plan's group sizes; the peers have no groups.
    quick_sizes = tuple(f"groups_{size}_" for size in range(len(QUICK.group_sizes)))
    quick_groups = ("groups_conversations", *quick_sizes)
    peer_figures = [key for key in quick_figures if not key.startswith("groups_")]
    quick_figures = [
        k for k in quick_figures if not k.startswith("groups_") or k.startswith(quick_groups)
    ]
    for server in SERVERS:
        result = one_round[server]
        # Nothing lost or shown twice, at any load the quick run offers.
        for run in [result["latency"], *result["throughput"]["steps"]]:
            assert run["duplicates"] == 0, (server, run)
        assert result["latency"]["complete"], server
        assert result["latency"]["missing"] == 0, server
        figures = quick_figures if server in APPS else peer_figures
        figures = TWO_WORKER_FIGURES if server == APP_SCALED_2 else figures
        for key in figures:
            assert report["summary"][key][server]["median"] is not None, (server, key)
        if server != APP_SCALED_2:
            _assert_added_phases_complete(server, result)
        if server in APPS and server != APP_SCALED_2:
            _assert_groups_complete(server, result)
            # Net of the idle server's CPU, a quick run's few copies can come out below 0.
            vs_relay = f"{quick_sizes[0]}steady_cpu_vs_relay"
            assert report["summary"][vs_relay][server]["median"] is not None, server
    app_bytes = [b["bytes_per_message"] for b in one_round["app"]["bytes"].values()]
    # The app's cost per message does not grow with the conversation's history.
    assert max(app_bytes) - min(app_bytes) < 0.05 * min(app_bytes), app_bytes


def _assert_added_phases_complete(server: str, result: dict[str, Any]) -> None:
    """Every tab connected and stayed so, every copy of a fan-out arrived once, every
    message to a friend with many contacts arrived (the timed ones) or was stored."""
    connections = result["connections"]
    assert connections["tabs"] == QUICK.connections, (server, connections)
    assert connections["connected"] == connections["open_after_idle"] == QUICK.connections
    assert 0 <= connections["idle_cpu_percent"] < 50, (server, connections)
    assert connections["rss_mb"] > 0, (server, connections)
    runs = result["fanout"]["runs"]
    assert [run["tabs"] for run in runs] == list(QUICK.fanout_tabs), server
    for run in runs:
        assert run["failed_to_connect"] == 0, (server, run)
        assert run["copies_delivered"] == run["copies_expected"] > 0, (server, run)
        assert run["duplicates"] == 0, (server, run)
        assert run["acknowledged"] == run["messages"] == QUICK.fanout_messages, (server, run)
        assert run["first_p50_ms"] <= run["last_p50_ms"], (server, run)
    contacts = result["contacts"]
    assert contacts["contacts_each"] == QUICK.contacts_users - 1, server
    assert contacts["run"]["complete"], (server, contacts["run"])
    assert contacts["run"]["missing"] == contacts["run"]["duplicates"] == 0, server
    assert contacts["asides_sent"] > 0, (server, contacts)
    assert contacts["asides_stored"] == contacts["asides_sent"], (server, contacts)
    assert contacts["bytes_per_message"] > 0, (server, contacts)


def _assert_groups_complete(server: str, result: dict[str, Any]) -> None:
    """Every member's tab connected and got every message of both runs exactly once; the
    sender's tab got every acknowledgement."""
    sizes = result["groups"]["sizes"]
    assert result["groups"]["conversations_per_member"] == 1 + QUICK.group_side_conversations
    assert [size["members"] for size in sizes] == list(QUICK.group_sizes), server
    for size in sizes:
        assert size["failed_to_connect"] == 0, (server, size)
        for run, messages in (("steady", QUICK.group_messages), ("burst", QUICK.group_burst)):
            figures = size[run]
            assert figures["messages"] == figures["acknowledged"] == messages, (server, figures)
            expected = messages * (size["members"] - 1)
            assert figures["copies_delivered"] == figures["copies_expected"] == expected
            assert figures["duplicates"] == 0, (server, figures)
            assert figures["bytes_per_copy"] > 0, (server, figures)
            assert figures["first_p50_ms"] <= figures["last_p50_ms"], (server, figures)
