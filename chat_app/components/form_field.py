"""The inputs of the account forms: each labelled, with its hint and its error right under it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import reflex as rx
from reflex_base.vars.base import Var

from chat_app.states.auth import PASSWORD_MAX
from chat_app.states.ui import tr


def browser_cap(server_limit: int) -> int:
    """The `max_length` of an input whose value the server limits to `server_limit`.

    The browser counts UTF-16 units, the server code points, and one code point is at
    most two units (an emoji, a rare CJK character). Twice the limit lets every value the
    server accepts be typed or pasted; one code point more means that whatever the browser
    does cut is still over the limit, so it is sent and refused with the server's own
    message instead of being silently accepted shorter (33 emoji are not cut to 32).

    Args:
        server_limit: The server's limit, in code points.

    Returns:
        The browser-side cap, in UTF-16 units.
    """
    return 2 * (server_limit + 1)


@dataclass(frozen=True)
class Field:
    """One input of an account form.

    Attributes:
        name: The form field name the handler reads, the key of its error, and, after
            "field_", the i18n key of its visible label (also the input's accessible name).
        field_id: DOM id of the input (tests and the label use it).
        autocomplete: The autocomplete token for password managers; "current-password" and
            "new-password" make a password input.
        server_limit: The server's length limit in code points; the input's browser-side
            cap is `browser_cap` of it, never below it.
        hint: i18n key of a short rule shown under the input, if any.
    """

    name: str
    field_id: str
    autocomplete: str
    server_limit: int = PASSWORD_MAX
    hint: str | None = None


def form_fields(
    *fields: Field, errors: Mapping[str, str | Var[str]] | None = None
) -> list[rx.Component]:
    """The inputs of a form, each with its label, its hint and its error line.

    Args:
        *fields: The inputs, in order.
        errors: Field name to error text (a state var); nothing is shown for a field without.

    Returns:
        One component per field.
    """
    return [
        _form_field(field, errors.get(field.name, "") if errors is not None else "")
        for field in fields
    ]


def _form_field(field: Field, error: Var[str] | str) -> rx.Component:
    error_id = f"{field.field_id}-error"
    password = field.autocomplete in ("current-password", "new-password")
    return rx.vstack(
        rx.el.label(
            tr(f"field_{field.name}"), html_for=field.field_id, font_weight="500", font_size="0.9em"
        ),
        rx.input(
            id=field.field_id,
            name=field.name,
            type="password" if password else "text",
            auto_complete=field.autocomplete,
            max_length=browser_cap(field.server_limit),
            aria_describedby=error_id,
            size="3",
            width="100%",
        ),
        rx.cond(
            Var.create(error) != "",
            rx.text(error, id=error_id, color_scheme="red", size="2", role="alert"),
            rx.text(tr(field.hint), color_scheme="gray", size="1") if field.hint else rx.fragment(),
        ),
        spacing="1",
        width="100%",
        align="stretch",
    )
