"""GET /exports/<chat>/<language>: a chat's export, streamed as it is written.

The link is signed for one login session and lives minutes (services/file_links.py); the
chat is checked again here, so a user who left it or was logged out gets the same 404 as a
stranger or a malformed request. Exports run a few at a time per worker; more wait their
turn, and each user starts at most a few an hour (services/chat_export.py).
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
from chat_app.services.errors import NotFound
from chat_app.services.file_links import LinkClaim
from chat_app.services.storage import FileStorage

# Exports written at once by one worker: each reads the database and the files for minutes.
EXPORTS_AT_ONCE = 2


def _plan(claim: LinkClaim, language: str) -> ExportPlan | None:
    with session_scope() as session:
        user_id = file_links.link_user(session=session, claim=claim)
        if user_id is None:
            return None
        try:
            return chat_export.plan_export(
                session=session,
                viewer_id=user_id,
                conversation_id=int(claim.file_id),
                language=language,
            )
        except NotFound:
            return None


async def _in_turn(chunks: Iterator[bytes], turns: asyncio.Semaphore) -> AsyncIterator[bytes]:
    """The archive's pieces, written on a worker thread once a turn is free.

    The turn is taken here, not before the response: a download dropped before its body
    started never held one.
    """
    async with turns:
        async for piece in iterate_in_threadpool(chunks):
            yield piece


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
