"""A labelled input with its hint and its error shown right under it."""

from __future__ import annotations

from typing import Literal

import reflex as rx
from reflex_base.vars.base import Var


def form_field(
    *,
    label: Var[str] | str,
    name: str,
    field_id: str,
    error: Var[str] | str = "",
    hint: Var[str] | str | None = None,
    input_type: Literal["text", "password"] = "text",
    autocomplete: str = "off",
    max_length: int | None = None,
) -> rx.Component:
    """A form input with a label, an optional hint and an error line.

    Args:
        label: Visible label, also the input's accessible name.
        name: The form field name the handler reads.
        field_id: DOM id of the input (tests and the label use it).
        error: The error text for this field; nothing is shown when empty.
        hint: A short rule shown under the input.
        input_type: The HTML input type.
        autocomplete: The autocomplete token for password managers.
        max_length: A browser-side length cap (the server checks again).

    Returns:
        The field component.
    """
    error_id = f"{field_id}-error"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_weight="500", font_size="0.9em"),
        rx.input(
            id=field_id,
            name=name,
            type=input_type,
            auto_complete=autocomplete,
            max_length=max_length,
            aria_describedby=error_id,
            size="3",
            width="100%",
        ),
        rx.cond(
            Var.create(error) != "",
            rx.text(error, id=error_id, color_scheme="red", size="2", role="alert"),
            rx.text(hint, color_scheme="gray", size="1") if hint is not None else rx.fragment(),
        ),
        spacing="1",
        width="100%",
        align="stretch",
    )
