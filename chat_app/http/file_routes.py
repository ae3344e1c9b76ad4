"""GET /files/<id>/<file|thumb>: downloads through signed URLs, membership checked again.

A link works while the login session it was signed for is live (services/file_links.py).
Every refusal is the same 404, so a probe cannot tell a missing file from a forbidden one,
and a malformed request is one of them, never an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from chat_app.http.export_routes import make_export_endpoint
from chat_app.realtime.profile import PROFILE
from chat_app.services import file_access, file_links
from chat_app.services.content_headers import content_disposition
from chat_app.services.database import session_scope
from chat_app.services.file_access import DownloadableFile
from chat_app.services.file_inspection import sniff
from chat_app.services.file_links import LinkClaim
from chat_app.services.storage import FileStorage

NOT_AVAILABLE = PlainTextResponse("Not found", status_code=404)
PIECE = 1024 * 1024


def _lookup(
    claim: LinkClaim, storage: FileStorage
) -> tuple[DownloadableFile, Path | BinaryIO] | None:
    """The file and its local path, or an open stream for a remote store."""
    with session_scope() as session:
        user_id = file_links.link_user(session=session, claim=claim)
        if user_id is None:
            return None
        stored = file_access.downloadable(session=session, user_id=user_id, file_id=claim.file_id)
    if stored is None:
        return None
    key = stored.storage_key if claim.variant == "file" else stored.thumbnail_key
    if not key:
        return None
    path = storage.path(key)
    if path is not None:
        return (stored, path) if path.is_file() else None
    try:
        return stored, storage.open(key)
    except FileNotFoundError:
        return None


def _head(stream: BinaryIO, thumbnail: bool) -> bytes:
    try:
        return stream.read(16) if thumbnail else b""
    except BaseException:
        stream.close()
        raise


def _pieces(head: bytes, stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        if head:
            yield head
        while piece := stream.read(PIECE):
            yield piece


def _make_download(storage: FileStorage):
    async def download(request: Request) -> Response:
        claim = file_links.parse_link(
            request.path_params["file_id"], request.path_params["variant"], request.query_params
        )
        if claim is None:
            return NOT_AVAILABLE
        found = await run_in_threadpool(_lookup, claim, storage)
        if found is None:
            return NOT_AVAILABLE
        stored, source = found
        thumbnail = claim.variant == "thumb"
        head = b""
        if isinstance(source, Path):
            if thumbnail:
                with source.open("rb") as blob:
                    head = blob.read(16)
        else:
            head = await run_in_threadpool(_head, source, thumbnail)
        # Thumbnails are our own re-encoding: PNG or JPEG, told apart by the first bytes.
        media_type = sniff(head) if thumbnail else stored.mime
        headers = {
            # Only our own re-encoded thumbnails are shown inline; originals download.
            "Content-Disposition": content_disposition(stored.original_name, thumbnail),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        }
        if isinstance(source, Path):
            return FileResponse(source, media_type=media_type, headers=headers)
        # A remote store: relay the download piece by piece, reading in a worker thread.
        size = getattr(source, "size", None)
        if isinstance(size, int):
            headers["Content-Length"] = str(size)
        return StreamingResponse(
            iterate_in_threadpool(_pieces(head, source)), media_type=media_type, headers=headers
        )

    return download


def file_routes(storage: FileStorage | None = None) -> Starlette:
    """The Starlette app holding the download routes (mounted before Reflex's routes).

    Files, and chats' exports (http/export_routes.py).

    Args:
        storage: The file store (the profile's by default).

    Returns:
        The app.
    """
    storage = storage or PROFILE.storage
    download = _make_download(storage)
    export = make_export_endpoint(storage, NOT_AVAILABLE)
    return Starlette(
        routes=[
            Route("/files/{file_id}/{variant}", download, methods=["GET"]),
            Route("/exports/{conversation_id}/{language}", export, methods=["GET"]),
        ]
    )
