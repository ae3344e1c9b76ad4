"""GET /exports/<chat>/<language>: a chat's export, streamed as it is written.

The link is signed for one login session and lives minutes (services/file_links.py); the
chat is checked again here, so a user who left it or was logged out gets the same 404 as a
stranger or a malformed request. Exports run a few at a time per worker; more wait their
turn, and a reader that stops reading gives its turn back. Each user starts at most a few
an hour (services/chat_export.py), and downloads a link only a few times more: each
download writes the whole archive again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from chat_app.services import chat_export, file_links
from chat_app.services.chat_export import ExportPlan
from chat_app.services.content_headers import content_disposition
from chat_app.services.database import session_scope
from chat_app.services.errors import NotFound, RateLimited
from chat_app.services.file_links import LinkClaim
from chat_app.services.storage import FileStorage

# Exports written at once by one worker: each reads the database and the files for minutes.
EXPORTS_AT_ONCE = 2
# A download whose reader takes no piece for this long gives its turn back, and ends cut
# short when it does take one: a reader that stops reading must not hold a turn for good.
STALL_SECONDS = 60.0


def _plan(claim: LinkClaim, language: str) -> ExportPlan | None:
    with session_scope() as session:
        user_id = file_links.link_user(session=session, claim=claim)
        if user_id is None:
            return None
        try:
            chat_export.count_download(session=session, viewer_id=user_id)
            return chat_export.plan_export(
                session=session,
                viewer_id=user_id,
                conversation_id=int(claim.file_id),
                language=language,
            )
        except (NotFound, RateLimited):
            return None


class _Turn:
    """One of the worker's export turns, given back once (at the end, or when stalled)."""

    def __init__(self, turns: asyncio.Semaphore) -> None:
        self._turns = turns
        self.held = False

    async def take(self) -> None:
        """Wait for a free turn and hold it."""
        await self._turns.acquire()
        self.held = True

    def give_back(self) -> None:
        """Free the turn, unless it was given back already."""
        if self.held:
            self.held = False
            self._turns.release()


async def _in_turn(chunks: Iterator[bytes], turns: asyncio.Semaphore) -> AsyncIterator[bytes]:
    """The archive's pieces, written on a worker thread once a turn is free.

    The turn is taken here, not before the response: a download dropped before its body
    started never held one. While a piece waits for its reader, a timer gives the turn
    back after STALL_SECONDS; the download then ends when the reader comes back.
    """
    turn = _Turn(turns)
    await turn.take()
    loop = asyncio.get_running_loop()
    try:
        async for piece in iterate_in_threadpool(chunks):
            stalled = loop.call_later(STALL_SECONDS, turn.give_back)
            try:
                yield piece
            finally:
                stalled.cancel()
            if not turn.held:
                return
    finally:
        turn.give_back()


def make_export_endpoint(storage: FileStorage, not_available: Response):
    """The export endpoint over `storage`.

    Args:
        storage: Where the chat's files are.
        not_available: The one refusal (404) for anything not allowed or malformed.

    Returns:
        The Starlette endpoint.
    """
    turns = asyncio.Semaphore(EXPORTS_AT_ONCE)

    async def export(request: Request) -> Response:
        language = request.path_params["language"]
        claim = file_links.parse_export_link(
            request.path_params["conversation_id"], language, request.query_params
        )
        if claim is None:
            return not_available
        plan = await run_in_threadpool(_plan, claim, language)
        if plan is None:
            return not_available
        headers = {
            "Content-Disposition": content_disposition(plan.file_name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        }
        return StreamingResponse(
            _in_turn(chat_export.export_chunks(plan, storage), turns),
            media_type="application/zip",
            headers=headers,
        )

    return export
