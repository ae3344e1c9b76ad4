"""Peak memory when 10 worst-case pictures are sent at once (issue 14, item 6).

Run: `python -m tests.load.image_memory` (or `make bench-images`). The pictures are made
once in this process; a fresh child process then sends them all at the same moment, one
thread each (as call_slow_service does), through the real `file_uploads.send_file` on a
throw-away SQLite database and folder, and reports how far its resident memory rose above
what it held just before (Linux's VmHWM, reset first). Exit status 1 above the limit.

"Worst case" for the decode budget (services/images.py) means the pictures that cost the
most memory while still being decoded (each at the budget, in every costly form: alpha,
palette, grey, WebP, a progressive JPEG) plus the ones that used to blow it up (the
150 KiB 6300 x 6300 PNG, a 400-megapixel bomb) and a 48-megapixel phone photo.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

LIMIT_MIB = 200


def _pictures() -> dict[str, bytes]:
    from PIL import Image

    from tests.support.images import huge_png

    def save(image: Image.Image, kind: str, **options: object) -> bytes:
        out = io.BytesIO()
        image.save(out, format=kind, **options)
        return out.getvalue()

    def solid(mode: str, size: tuple[int, int]) -> Image.Image:
        colour = {"RGB": (200, 120, 40), "RGBA": (200, 120, 40, 128), "L": 90, "P": 3}[mode]
        return Image.new(mode, size, colour)

    return {
        "png 6300x6300 RGB (the report's)": save(solid("RGB", (6300, 6300)), "PNG"),
        "png 4096x4096 RGBA (at budget)": save(solid("RGBA", (4096, 4096)), "PNG"),
        "png 5792x5792 RGB (at budget)": save(solid("RGB", (5792, 5792)), "PNG"),
        "png 11585x11585 grey (at budget)": save(solid("L", (11585, 11585)), "PNG"),
        "gif 11585x11585 (at budget)": save(solid("P", (11585, 11585)), "GIF"),
        "webp 2896x2896 (at budget)": save(solid("RGB", (2896, 2896)), "WEBP", quality=10),
        "jpeg 6000x5000 progressive": save(
            solid("RGB", (6000, 5000)), "JPEG", progressive=True, quality=60
        ),
        "jpeg 8000x6000 phone photo": save(solid("RGB", (8000, 6000)), "JPEG", quality=80),
        "jpeg 16320x12240 (200 MP)": save(solid("RGB", (16320, 12240)), "JPEG", quality=50),
        "png 20000x20000 bomb": huge_png(20_000, 20_000),
    }


def _resident_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _send_all(folder: Path) -> dict[str, object]:
    """The child: send every picture in `folder` at once; report memory and thumbnails."""
    from sqlmodel import SQLModel

    from chat_app.services import conversations, database, file_uploads
    from chat_app.services.storage import LocalFileStorage
    from chat_app.settings import load_settings
    from tests.support.users import make_friends, make_user

    settings = load_settings({"CHAT_DATA_DIR": str(folder), "CHAT_MESSAGE_RATE_COUNT": "1000"})
    engine = database.create_db_engine(f"sqlite:///{folder / 'bench.db'}")
    SQLModel.metadata.create_all(engine)
    with database.session_scope(engine) as session:
        ann, bob = make_user(session, "ann"), make_user(session, "bob")
        make_friends(session, ann, bob)
        ann_bob = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    storage = LocalFileStorage(folder / "private")
    pictures = {path.stem: path.read_bytes() for path in sorted(folder.glob("*.picture"))}
    names = json.loads((folder / "names.json").read_text())
    results: dict[str, str] = {}
    start = threading.Barrier(len(pictures))

    def send(stem: str, data: bytes) -> None:
        start.wait()
        try:
            with database.session_scope(engine) as session:
                sent = file_uploads.send_file(
                    session=session,
                    viewer_id=ann,
                    conversation_id=ann_bob,
                    client_id=uuid.uuid4().hex,
                    source=io.BytesIO(data),
                    name=f"{stem}.bin",
                    settings=settings,
                    storage=storage,
                )
            attachment = sent.message.attachment
            thumbnailed = attachment is not None and attachment.has_thumbnail
            results[names[stem]] = "thumbnail" if thumbnailed else "file"
        except Exception as error:  # reported, not raised: the figure is what matters
            results[names[stem]] = f"error {error!r}"

    threads = [threading.Thread(target=send, args=item) for item in pictures.items()]
    before = _resident_mib("VmRSS")
    # Writing 5 resets the peak (VmHWM) to the current resident size (Linux >= 4.0).
    Path("/proc/self/clear_refs").write_text("5")
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    peak = _resident_mib("VmHWM")
    engine.dispose()
    return {"before_mib": before, "peak_mib": peak, "results": results}


def main(argv: list[str] | None = None) -> int:
    """Make the pictures, send them in a child process, print the figures.

    Returns:
        0 under the limit, 1 above it.
    """
    parser = argparse.ArgumentParser(description="Peak memory with 10 worst-case pictures.")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_send_all(args.child)))
        return 0
    with tempfile.TemporaryDirectory(prefix="image-memory-") as tmp:
        folder = Path(tmp)
        names = {}
        for index, (name, data) in enumerate(_pictures().items()):
            (folder / f"p{index}.picture").write_bytes(data)
            names[f"p{index}"] = name
        (folder / "names.json").write_text(json.dumps(names))
        child = subprocess.run(
            [sys.executable, "-m", "tests.load.image_memory", "--child", str(folder)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        report = json.loads(child.stdout.strip().splitlines()[-1])
        sizes = {names[p.stem]: p.stat().st_size for p in folder.glob("*.picture")}
    print(f"{len(sizes)} pictures sent at once, one thread each, through file_uploads.send_file:")
    for name, outcome in sorted(report["results"].items()):
        print(f"  {name:36} {sizes[name] / 1024:9.0f} KiB  -> {outcome}")
    growth = report["peak_mib"] - report["before_mib"]
    print(
        f"peak RSS {report['peak_mib']:.0f} MiB, {report['before_mib']:.0f} MiB before: "
        f"+{growth:.0f} MiB (limit +{LIMIT_MIB} MiB)"
    )
    return 0 if growth < LIMIT_MIB else 1


if __name__ == "__main__":
    sys.exit(main())
