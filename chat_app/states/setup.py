"""The first administrator in the browser: the register form's setup-code field, and /setup.

/auth asks whether its register form needs the "Setup code" field (no account yet, and the
server can be reached from other machines). /setup lets a signed-in user of a database with
users and no administrator (an upgrade) become the administrator with the code.
"""

from __future__ import annotations

import reflex as rx

from chat_app.i18n import text
from chat_app.services import instance_settings, setup_code
from chat_app.services.errors import NotFound, RateLimited, Refused
from chat_app.states.safe_text import toast_success
from chat_app.states.service_call import call_service, form_text
from chat_app.states.tab_identity import client_address
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

# The code's length limit, for the input's browser-side cap.
SETUP_CODE_MAX = setup_code.MAX_INPUT_LENGTH


class SetupState(rx.State):
    """Whether the setup code is asked for, and the /setup page's answer."""

    # The register form shows the "Setup code" field.
    code_needed: bool = False
    # Registration without an invite is refused: the Register tab says so instead of a form
    # ("registration_invite_only", "registration_closed"; "" while open).
    registration_refusal: str = ""
    # /setup: an active administrator exists (the code can no longer be used).
    admin_exists: bool = False
    # /setup: the claim's refusal, in the tab's language.
    setup_error: str = ""

    @rx.event
    async def load_register_field(self):
        """On load of /auth: whether registering is refused, or needs the setup code here."""
        self.registration_refusal = await call_service(instance_settings.registration_refusal)
        self.code_needed = await call_service(
            setup_code.code_field_needed, client_address=client_address(self)
        )

    @rx.event
    @signed_in
    async def load_setup_page(self, viewer_id: int):
        """On load of /setup (signed-in users only): whether an administrator exists."""
        del viewer_id  # any signed-in user may look
        self.setup_error = ""
        self.admin_exists = await call_service(setup_code.admin_exists)

    @rx.event
    @signed_in
    async def claim(self, viewer_id: int, form_data: dict):
        """Make the signed-in user the administrator with the code they entered."""
        language = await language_of(self)
        self.setup_error = ""
        try:
            await call_service(
                setup_code.claim,
                user_id=viewer_id,
                code=form_text(form_data, "setup_code"),
                client_address=client_address(self),
            )
        except Refused as error:
            self.admin_exists = error.code == setup_code.ADMIN_EXISTS
            self.setup_error = text(error.code, language)
            return None
        except RateLimited:
            self.setup_error = text("setup_too_many_guesses", language)
            return None
        except NotFound:
            self.setup_error = text("not_found", language)
            return None
        self.admin_exists = True
        return toast_success(text("setup_claimed", language))
