"""Storing an outbox entry: the send's service call and what its outcome means.

Shared by the composer (a send, a retry) and the re-send of entries kept in the browser
after a restart (states/resend.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import replace

from chat_app.services import sending
from chat_app.services.errors import DomainError
from chat_app.services.views import SentMessage
from chat_app.states.outbox_entries import OutboxEntry
from chat_app.states.service_call import call_service

logger = logging.getLogger(__name__)
# What storing a message came to: stored, refused, or None when the store itself failed.
Outcome = SentMessage | DomainError | None


async def store(viewer_id: int, entry: OutboxEntry) -> Outcome:
    """Store an outbox entry (and whom it mentions): the outcome, the refusal, or None.

    Its mentions come from browser storage after a restart: the service checks them again.
    """
    try:
        return await call_service(
            sending.send_message,
            viewer_id=viewer_id,
            conversation_id=entry.conversation_id,
            client_id=entry.client_id,
            body=entry.body,
            mentioned=entry.mentioned,
            reply_to=entry.reply_to,
        )
    except DomainError as error:
        return error
    except Exception:
        # Database unreachable or similar: the message stays in the outbox, failed.
        # Not re-raised: Reflex would drop this update and leave it "sending".
        logger.exception("storing a message failed; it stays in the outbox")
        return None


def rekeyed(conflict: OutboxEntry) -> OutboxEntry:
    """A conflicting message under an id of its own.

    Its Retry sends it as a new message, and its bubble never shares a key with the stored
    message that holds the old id.
    """
    return replace(conflict, client_id=uuid.uuid4().hex)


async def done_within(task: asyncio.Future[Outcome], seconds: float) -> bool:
    """Whether `task` finishes within `seconds` (it runs on either way)."""
    done, _pending = await asyncio.wait({task}, timeout=seconds)
    return bool(done)


def is_conflict(outcome: Outcome) -> bool:
    """Whether the client id was already taken by another text of the same sender."""
    return isinstance(outcome, DomainError) and outcome.code == "client_id_conflict"
