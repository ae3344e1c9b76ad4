"""A chat's export: its speed and its memory peak for two chat lengths, with no server.

Usage: python -m tests.load.export_meter [--messages 2000 20000]

Not part of `make test` or `make bench`. For each length, a fresh SQLite database holds one
direct chat of that many text messages; the export is written once timed (messages per
second, the archive's size) and once under tracemalloc (the peak of Python's allocations):
a peak that stays put while the length grows tenfold is the "flat memory" of ARCHITECTURE
§10. Files are left out (they are copied 256 KiB at a time and add nothing held).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlmodel import Session, SQLModel

from chat_app.services import chat_export, database
from chat_app.services.storage import LocalFileStorage
from tests.support.long_chat import long_direct_chat


def _plan(engine, messages: int, names: str) -> chat_export.ExportPlan:
    with Session(engine, expire_on_commit=False) as session:
        reader, chat = long_direct_chat(session, messages, names)
        return chat_export.plan_export(
            session=session, viewer_id=reader, conversation_id=chat, language="en"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="A chat's export: speed and memory peak.")
    parser.add_argument("--messages", type=int, nargs="+", default=[2000, 20000])
    lengths = parser.parse_args().messages
    folder = Path(tempfile.mkdtemp())
    engine = database.create_db_engine(f"sqlite:///{folder / 'export.db'}")
    SQLModel.metadata.create_all(engine)
    database.get_engine = lambda url=None: engine  # type: ignore[assignment]
    storage = LocalFileStorage(folder / "files")
    for index, messages in enumerate(lengths):
        plan = _plan(engine, messages, f"writer{index} reader{index}")
        started, written = time.perf_counter(), 0
        for piece in chat_export.export_chunks(plan, storage):
            written += len(piece)
        took = time.perf_counter() - started
        tracemalloc.start()
        for _piece in chat_export.export_chunks(plan, storage):
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"{messages:>7,} messages: {written / 1e6:6.2f} MB archive in {took:5.2f} s "
            f"({messages / took:,.0f} messages/s); peak {peak / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()
