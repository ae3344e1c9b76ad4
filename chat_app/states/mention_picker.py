"""The `@` suggestions under a group's composer: members found on the server as one types.

When the draft ends with `@` and a few letters, the group's current members matching them
are offered (at most eight; never the writer, departed members or anyone in a block with
the writer: services/mentions.py). Picking one puts `@nickname ` in place of what was typed
and remembers the user for this draft (states/mention_picks.py). Enter while a name is being
typed after `@` picks the first member found for it instead of sending (`completed_mention`).

The composer's state is reached through the places' registry (states/place.py): the
composer calls `completed_mention`, so importing it here would be a cycle.
"""

from __future__ import annotations

import re

import reflex as rx

from chat_app.services import mentions, message_text
from chat_app.services.errors import NotFound
from chat_app.services.mentions import MentionCandidate
from chat_app.services.sessions import SessionKey
from chat_app.states.conversation import ConversationState
from chat_app.states.mention_picks import MentionPicksState
from chat_app.states.place import DraftHolder, draft_holder
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

    async def _put_in(
        self, composer: DraftHolder, written: str, chosen: MentionCandidate, conversation_id: int
    ) -> bool:
        """Put `@nickname ` in place of what `written` has after its last `@`; close the list.

        Returns:
            Whether the composer now shows the name (not when `written` ends otherwise, or
            the name would make it longer than a draft may be).
        """
        self._close()
        typed = typed_mention(written)
        if typed is None:
            return False
        # What was typed after `@` (and the `@`) gives way to the name.
        kept = written[: len(written) - len(typed) - 1]
        named = f"{kept}@{chosen.nickname} "
        if len(named) > message_text.DRAFT_MAX:
            return False
        # The text area is debounced (uncontrolled while typing): a changed draft is what
        # replaces its text in the browser.
        composer._show_draft(named)
        picks = await self.get_state(MentionPicksState)
        picks._remember(conversation_id, chosen.user_id, chosen.nickname)
        return True

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
        viewer_id = await viewer_id_of(self)
        found = await _members_for(conversation, viewer_id, typed) if viewer_id else ()
        if not found:
            self._close()
            return
        if list(found) != self.options:
            self.options = list(found)
        self._conversation_id = conversation.conversation_id

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
        composer = await draft_holder(self)
        if composer is None:
            self._close()
        else:
            await self._put_in(composer, composer.draft, chosen, conversation_id)

    @rx.event
    def close(self):
        """Escape, or the composer lost interest: hide the options."""
        self._close()


async def completed_mention(
    state: rx.State, viewer_id: int, conversation_id: int, written: str
) -> bool:
    """Enter on a name being typed after `@` in a group: the first member found for it goes in.

    As in Slack or Telegram, Enter while members are offered picks one instead of sending
    the half-typed name; Enter again sends. The composer's send calls this first. The
    members are searched again now: the offered ones may be a debounce behind the text.

    Args:
        state: A state of the sending tab.
        viewer_id: The signed-in writer.
        conversation_id: The conversation the send form names.
        written: The text submitted.

    Returns:
        Whether the name was put in the composer (then nothing is sent); False when the
        text does not end with `@` and a name's start, the conversation is not the open
        group, or no member matches (the text is sent as it is).
    """
    typed = typed_mention(written)
    if typed is None:
        return False
    conversation = await state.get_state(ConversationState)
    if conversation_id != conversation.conversation_id:
        return False
    found = await _members_for(conversation, viewer_id, typed)
    composer = await draft_holder(state)
    if not found or composer is None:
        return False
    picker = await state.get_state(MentionPickerState)
    return await picker._put_in(composer, written, found[0], conversation_id)


async def _members_for(
    conversation: ConversationState, viewer_id: int, typed: str
) -> tuple[MentionCandidate, ...]:
    """The members to offer for what is typed after `@`: none unless a group is open."""
    if conversation.conversation_id not in conversation._group_ids:
        return ()
    try:
        return await call_service(
            mentions.suggestions,
            viewer_id=viewer_id,
            conversation_id=conversation.conversation_id,
            query=typed,
        )
    except NotFound:
        return ()
