"""After every (re)load: settle the outbox with the database, show it, re-send what waits.

A reload, a restart or a dropped socket leaves the outbox in browser storage as it was. Some
of its messages may have been stored meanwhile (the acknowledgement never reached the tab):
those leave the outbox. The others show again as pending and go out once more with the same
client id, paced within the user's rate limit, so forty of them after a restart are not
turned into thirty "too fast" failures.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from chat_app.i18n import text
from chat_app.services import message_text, sending
from chat_app.services.errors import DomainError, RateLimited
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.outbox import OutboxState
from chat_app.states.outbox_entries import ISSUED_ID
from chat_app.states.outbox_store import rekeyed, store
from chat_app.states.service_call import call_service
from chat_app.states.ui import language_of
from chat_app.states.uploads import UploadState
from chat_app.states.viewer import viewer_id_of

# Never wait longer than this at once (the rate window is at most an hour): the task checks
# again, and stops when a newer load has taken over.
LONGEST_WAIT = 5.0


class ResendState(rx.State):
    """Runs the outbox's re-sends for one tab."""

    @rx.event
    async def resume(self):
        """On page load (also after each reconnect): settle, show and re-send the outbox."""
        return await self._resume()

    async def _resume(self):
        viewer_id = await viewer_id_of(self)
        if viewer_id is None:
            return None
        outbox_state = await self.get_state(OutboxState)
        composer = await self.get_state(ComposerState)
        outbox = outbox_state._read(viewer_id)
        issued = (
            outbox_state.next_client_id if ISSUED_ID.fullmatch(outbox_state.next_client_id) else ""
        )
        client_ids = [entry.client_id for entry in outbox.entries] + ([issued] if issued else [])
        stored = await call_service(
            sending.stored_texts, viewer_id=viewer_id, client_ids=client_ids
        )
        for entry in list(outbox.entries):
            found = stored.get(entry.client_id)
            if found is None:
                continue
            if found in ((entry.conversation_id, entry.body), (entry.conversation_id, None)):
                outbox.remove(entry.client_id)
            else:
                outbox.remove(entry.client_id)
                outbox.put(rekeyed(entry.failed("client_id_conflict")))
        if issued in stored:
            # The composer's message was stored but its update never arrived: the text the
            # browser kept is sent already, and the id is used.
            sent_text = stored[issued][1]
            if sent_text is not None and _same_text(composer.draft, sent_text):
                composer._clear_text()
            outbox_state._issue_next_id()
        else:
            outbox_state._issued_id()
        if outbox.dropped:
            language = await language_of(self)
            composer.composer_error = text("outbox_dropped", language, count=outbox.dropped)
            outbox.dropped = 0
        outbox_state._write(outbox)
        await (await self.get_state(UploadState))._say_if_interrupted()
        conversation = await self.get_state(ConversationState)
        if conversation.conversation_id:
            await conversation._show_unsent(viewer_id)
        outbox_state._resend_round += 1
        return ResendState.resend_unsent if outbox.unsent() else None

    @rx.event(background=True)
    async def resend_unsent(self):
        """Send the outbox's waiting messages again, one at a time, within the rate limit."""
        async with self:
            resend_round = (await self.get_state(OutboxState))._resend_round
        tried: set[str] = set()
        while True:
            async with self:
                viewer_id = await viewer_id_of(self)
                outbox_state = await self.get_state(OutboxState)
                if viewer_id is None or outbox_state._resend_round != resend_round:
                    return
                waiting = outbox_state._read(viewer_id).unsent()
                entry = next((e for e in waiting if e.client_id not in tried), None)
                if entry is None:
                    return
            wait = await call_service(sending.seconds_until_room, viewer_id=viewer_id)
            if wait > 0:
                await asyncio.sleep(min(wait, LONGEST_WAIT))
                continue
            # The entry names whom it mentions: a fresh server state (a restart) knows no picks.
            outcome = await store(viewer_id, entry)
            if isinstance(outcome, RateLimited):
                # Another tab of the user sent in between: wait for room again.
                continue
            tried.add(entry.client_id)
            async with self:
                composer = await self.get_state(ComposerState)
                await composer._settle(viewer_id, entry, outcome)


def _same_text(draft: str, stored: str) -> bool:
    try:
        return bool(draft) and message_text.clean_body(draft) == stored
    except DomainError:
        return False
