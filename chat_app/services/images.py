"""Thumbnails with bounded memory: reduced decoding and one decode budget per process.

What a picture costs to decode depends on the size its header claims, not on the file's
size: a 150 KiB PNG can claim 6300 x 6300 pixels (160 MB decoded). So before decoding,
the memory it will take is estimated from the header (pixels after reduction, bytes per
pixel, the copies Pillow and the codecs make), and that much is taken from a budget
shared by every thread of the process (a weighted semaphore): many small pictures decode
at once, large ones one after the other, and one estimated above the whole budget is not
decoded at all. JPEG decodes at 1/2, 1/4 or 1/8 scale (draft mode), so a 48 or 200
megapixel phone photo costs a few megabytes. A picture that cannot be thumbnailed safely
is still sent, as a file without thumbnail (file_uploads.py); only an avatar is refused.
"""

from __future__ import annotations

import ctypes
import io
import mmap
import platform
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image

# Decoded bytes all decodes of the process may hold at once. With 10 worst-case images
# sent together, RSS grows by about this much plus ~20 MiB (tests/load/image_memory.py).
DECODE_BUDGET_BYTES = 128 * 1024 * 1024
# How long a decode waits for its share before the picture goes without thumbnail.
BUDGET_WAIT_SECONDS = 20.0
# A JPEG marker: 0xFF then neither a stuffed 0x00, a restart (D0-D7) nor a fill 0xFF.
_MARKER = re.compile(rb"\xff[\x01-\xcf\xd8-\xfe]")
MAX_JPEG_SEGMENTS = 1000
FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
# Our estimate replaces Pillow's global pixel cap, which counts pixels before JPEG's
# reduced decoding and so would refuse 200-megapixel phone photos that cost 13 MB here.
Image.MAX_IMAGE_PIXELS = None
# glibc raises its mmap threshold after the first large free, so Pillow's 16 MiB blocks
# then come from per-thread heaps that keep the memory: with threads decoding in turn, the
# process grew 245 MiB where the decodes held 128. A fixed threshold maps every block of
# 1 MiB or more separately and gives it back on free (+141 MiB, image_memory.py).
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 1024 * 1024
if platform.libc_ver()[0] == "glibc":
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)


class TooLarge(Exception):
    """The picture would take more memory to decode than the budget allows."""


@dataclass(frozen=True)
class Thumbnail:
    """A re-encoded PNG (with transparency) or JPEG, and the original's size."""

    data: bytes
    width: int
    height: int


class DecodeBudget:
    """A weighted semaphore: decodes take their estimated bytes, and wait while full."""

    def __init__(self, total: int) -> None:
        """A budget of `total` bytes."""
        self.total = total
        self._free = total
        self._changed = threading.Condition()

    @contextmanager
    def hold(self, cost: int, timeout: float) -> Iterator[None]:
        """Hold `cost` bytes of the budget for the duration of the block.

        Args:
            cost: The estimated bytes.
            timeout: Seconds to wait for them.

        Raises:
            TooLarge: More than the whole budget, or not free in time.
        """
        if cost > self.total:
            raise TooLarge()
        with self._changed:
            if not self._changed.wait_for(lambda: self._free >= cost, timeout):
                raise TooLarge()
            self._free -= cost
        try:
            yield
        finally:
            with self._changed:
                self._free += cost
                self._changed.notify_all()


BUDGET = DecodeBudget(DECODE_BUDGET_BYTES)


def _contents(source: BinaryIO) -> bytes | mmap.mmap:
    """The whole file without copying it when it is a real file (uploads are spooled)."""
    with suppress(OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
    source.seek(0)
    return source.read()


def _jpeg_scans(data: bytes | mmap.mmap) -> int:
    """How many scans (SOS segments) a JPEG has; more than one is decoded whole in memory.

    Segments are skipped by their length (an EXIF thumbnail's own scan is not counted),
    entropy-coded data by a search in C; 0 (unknown, counted as several) for a file
    with no scan or more segments than any camera writes.
    """
    scans, pos = 0, 2
    for _ in range(MAX_JPEG_SEGMENTS):
        found = _MARKER.search(data, pos)
        if found is None or data[found.start() + 1] == 0xD9:  # end of image
            return scans
        start, marker = found.start(), data[found.start() + 1]
        length = int.from_bytes(data[start + 2 : start + 4], "big") if marker != 0x01 else 0
        pos = start + 2 + length
        scans += marker == 0xDA
    return 0


def _coefficient_bytes(image: Image.Image) -> int:
    """What libjpeg holds for a progressive or multi-scan JPEG: every block, full size."""
    width, height = image.size
    layers: list[tuple[int, int, int, int]] = getattr(image, "layer", [])
    h_max = max((layer[1] for layer in layers), default=1) or 1
    v_max = max((layer[2] for layer in layers), default=1) or 1
    blocks = 0
    for _, h, v, _ in layers:
        blocks += -(-width * max(h, 1) // (h_max * 8)) * -(-height * max(v, 1) // (v_max * 8))
    return blocks * 128  # 64 coefficients of 2 bytes


def reduce_and_cost(image: Image.Image, source: BinaryIO, box: tuple[int, int]) -> int:
    """Set up reduced decoding (JPEG) and estimate the bytes the decode holds at its peak.

    Args:
        image: The opened picture (header read, nothing decoded).
        source: Its file, read for the JPEG scan count.
        box: The thumbnail's largest width and height.

    Returns:
        Decoded pixels (4 bytes each, 1 for palette and grey), a second full copy when
        Pillow resizes through another mode (alpha, 16 bits), libwebp's own canvases, and
        libjpeg's whole-image coefficients when a JPEG has several scans (progressive).
    """
    cost = 0
    if image.format == "JPEG":
        if image.info.get("progressive"):
            cost += _coefficient_bytes(image)
        else:
            data = _contents(source)
            try:
                if _jpeg_scans(data) != 1:
                    cost += _coefficient_bytes(image)
            finally:
                if isinstance(data, mmap.mmap):
                    data.close()
        # Decode at the smallest scale still twice the box (what thumbnail() keeps).
        image.draft(None, (box[0] * 2, box[1] * 2))
    width, height = image.size
    narrow = image.mode in ("1", "L", "P")
    copies = 1 if narrow or image.mode in ("RGB", "CMYK", "YCbCr") else 2
    if image.format == "WEBP":
        copies += 3  # libwebp's two canvases and its output before Pillow's (measured)
    return cost + width * height * (1 if narrow else 4) * copies


def thumbnail(
    source: BinaryIO,
    box: tuple[int, int],
    *,
    budget: DecodeBudget = BUDGET,
    wait: float = BUDGET_WAIT_SECONDS,
) -> Thumbnail | None:
    """A re-encoded PNG/JPEG no larger than `box`, decoded within the memory budget.

    Args:
        source: The file (its position is put back at the start).
        box: The largest width and height.
        budget: The process's decode budget.
        wait: Seconds to wait for a share of it.

    Returns:
        The thumbnail, or None when Pillow cannot read the file as a picture.

    Raises:
        TooLarge: Decoding it would take more memory than the budget allows (or its
            share was not free within `wait`).
    """
    try:
        with Image.open(source, formats=FORMATS) as image:
            width, height = image.size
            with budget.hold(reduce_and_cost(image, source, box), wait):
                image.seek(0)
                image.thumbnail(box)
                has_alpha = image.mode in ("RGBA", "LA", "P", "PA")
                converted = image.convert("RGBA" if has_alpha else "RGB")
            out = io.BytesIO()
            converted.save(out, format="PNG" if has_alpha else "JPEG", quality=85)
            return Thumbnail(out.getvalue(), width, height)
    except Image.DecompressionBombError:
        raise TooLarge() from None
    except (OSError, ValueError, SyntaxError, EOFError):
        return None  # claims to be a picture but is not readable: keep it as a plain file
    finally:
        source.seek(0)
