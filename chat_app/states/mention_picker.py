"""The `@` suggestions under a group's composer: members found on the server as one types.

When the draft ends with `@` and a few letters, the group's current members matching them
are offered (at most eight; never the writer, departed members or anyone in a block with
the writer: services/mentions.py). Picking one puts `@nickname ` in place of what was typed
and remembers the user for this draft (states/mention_picks.py).
"""

from __future__ import annotations

import re

import reflex as rx

from chat_app.services import mentions
from chat_app.services.errors import NotFound
from chat_app.services.mentions import MentionCandidate
from chat_app.services.sessions import SessionKey
from chat_app.states.composer import DRAFT_MAX, ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.mention_picks import MentionPicksState
from chat_app.states.service_call import call_service
from chat_app.states.viewer import signed_in, viewer_id_of

# `@` at the start or after a space, then what is typed so far, at the end of the draft.
MENTION_AT_END = re.compile(r"(?:^|\s)@([^\s@]{0,32})$")
# Room for the space, the `@` and 32 characters: only the draft's end is searched.
_TAIL = 34


def typed_mention(draft: str) -> str | None:
    """What is typed after an `@` at the end of the draft ("" for `@` alone), or None."""
    found = MENTION_AT_END.search(draft[-_TAIL:])
    return found.group(1) if found is not None else None


class MentionPickerState(rx.State):
    """The members offered after `@` in this tab's composer."""

    options: list[MentionCandidate] = []
    # The conversation the options belong to.
    _conversation_id: int = 0
    _user_id: int | None = None

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id != self._user_id:
            self._user_id = user_id
            self._close()

    def _close(self) -> None:
        # Only what changes: an assigned var is saved (and a public one re-sent) anyway.
        if self.options:
            self.options = []
        if self._conversation_id:
            self._conversation_id = 0

    @rx.event
    async def follow_draft(self, value: str):
        """The composer's text changed: offer members if it ends with `@` and a name's start.

        Most changes end otherwise: they cost no session check and no statement.
        """
        typed = typed_mention(value) if isinstance(value, str) else None
        if typed is None:
            self._close()
            return
        conversation = await self.get_state(ConversationState)
        conversation_id = conversation.conversation_id
        viewer_id = await viewer_id_of(self)
        if viewer_id is None or conversation_id not in conversation._group_ids:
            self._close()
            return
        try:
            found = await call_service(
                mentions.suggestions,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                query=typed,
            )
        except NotFound:
            self._close()
            return
        if list(found) != self.options:
            self.options = list(found)
        self._conversation_id = conversation_id

    @rx.event
    @signed_in
    async def pick(self, viewer_id: int, user_id: int):
        """Put `@nickname ` for an offered member in place of what was typed after `@`."""
        del viewer_id  # the options were found for this tab's user
        chosen = next((o for o in self.options if o.user_id == user_id), None)
        conversation = await self.get_state(ConversationState)
        conversation_id = conversation.conversation_id
        if chosen is None or conversation_id != self._conversation_id:
            # Not offered here (a forged id, or another conversation since): nothing.
            self._close()
            return
        composer = await self.get_state(ComposerState)
        typed = typed_mention(composer.draft)
        self._close()
        if typed is None:
            return
        # What was typed after `@` (and the `@`) gives way to the name.
        draft = composer.draft[: len(composer.draft) - len(typed) - 1]
        written = f"{draft}@{chosen.nickname} "
        if len(written) > DRAFT_MAX:
            return
        composer._show_draft(written)
        picks = await self.get_state(MentionPicksState)
        picks._remember(conversation_id, chosen.user_id, chosen.nickname)

    @rx.event
    def close(self):
        """Escape, or the composer lost interest: hide the options."""
        self._close()
