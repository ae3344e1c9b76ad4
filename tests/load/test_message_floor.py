"""The Reflex floor peers do the work docs/performance.md says they do (a quick run each)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.load.message_floor import CHECKED_FLOOR, FLOOR, _run_floor
from tests.load.scenarios import QUICK


@pytest.mark.parametrize("kind", [FLOOR, CHECKED_FLOOR])
def test_the_floor_peer_stores_acknowledges_and_delivers_every_message_once(
    kind: str, tmp_path: Path
):
    result = asyncio.run(_run_floor(kind, QUICK, tmp_path, {"latency"}))

    latency = result["latency"]
    assert latency["complete"], latency
    assert (latency["missing"], latency["duplicates"]) == (0, 0), latency
    assert latency["delivered"] == latency["sent"] > 0
    database = sqlite3.connect(tmp_path / "floor.db")
    tables = {name for (name,) in database.execute("SELECT name FROM sqlite_master")}
    (stored,) = database.execute("SELECT count(*) FROM message").fetchone()
    # The warm-up's messages are stored too.
    assert stored >= latency["sent"]
    users = 2 * QUICK.pairs
    if kind == FLOOR:
        assert "read_cursor" not in tables
        return
    # The checked floor: a session row per tab, and every user has read their friend's
    # messages (a second after they arrived, as the app reads).
    (sessions,) = database.execute("SELECT count(*) FROM device_session").fetchone()
    assert sessions == users
    cursors = database.execute("SELECT reader, upto FROM read_cursor").fetchall()
    assert len(cursors) == users, cursors
    assert all(upto > 0 for _reader, upto in cursors)
