"""`make bench` keeps working: a quick run of every phase against the app (on both
profiles) and both peers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.load.report import FIGURES
from tests.load.servers import SERVERS
from tests.support.live_app import PROJECT_DIR


def test_a_quick_bench_run_reports_every_figure_for_every_server(tmp_path: Path):
    quick_run = ["--quick", "--rounds", "1", "--servers", "app,relay,flask,app-scaled"]
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
    for server in SERVERS:
        result = one_round[server]
        # Nothing lost or shown twice, at any load the quick run offers.
        for run in [result["latency"], *result["throughput"]["steps"]]:
            assert run["duplicates"] == 0, (server, run)
        assert result["latency"]["complete"], server
        assert result["latency"]["missing"] == 0, server
        for key in quick_figures:
            assert report["summary"][key][server]["median"] is not None, (server, key)
    app_bytes = [b["bytes_per_message"] for b in one_round["app"]["bytes"].values()]
    # The app's cost per message does not grow with the conversation's history.
    assert max(app_bytes) - min(app_bytes) < 0.05 * min(app_bytes), app_bytes
