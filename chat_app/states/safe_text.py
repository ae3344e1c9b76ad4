"""The one way user text becomes part of a Var or an event built on the server.

Reflex's `LiteralStringVar.create` (behind `rx.toast("...")`, `Var.create("...")` and every
event argument given as a plain `str`) scans the string for its internal marker
`<reflex.Var>id</reflex.Var>`, which its f-strings use to splice a Var back in. Text a user
chose may hold that marker: non-numeric content makes the scan loop forever (one core at
100 %, memory climbing, every user stalled), numeric content raises `KeyError` or splices
an unrelated Var in. So every toast or other event carrying text goes through
`literal_text`: a string Var built without that scan, whose JavaScript is the JSON-encoded
text, shown literally by the browser.

`install_marker_guard` makes the scan fail loudly on a marker that does not name a real
Var; tests install it (and the backends they start, through `STRICT_MARKERS_VARIABLE`), so
a later `rx.toast(f"... {nickname}")` fails the tests instead of freezing production.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import reflex as rx
from reflex_base.constants.base import REFLEX_VAR_CLOSING_TAG, REFLEX_VAR_OPENING_TAG
from reflex_base.event import EventSpec, run_script
from reflex_base.vars.base import LiteralVar, Var, _global_vars
from reflex_base.vars.function import FunctionVar
from reflex_base.vars.object import ObjectVar
from reflex_base.vars.sequence import LiteralStringVar, StringVar
from reflex_components_sonner.toast import ToastProps, toast_ref

# Set to "1" in the environment of a process (tests, the backends tests start) to install
# the guard at start-up. Production leaves it unset and pays nothing.
STRICT_MARKERS_VARIABLE = "CHAT_STRICT_VAR_MARKERS"

_MARKER = re.compile(
    re.escape(REFLEX_VAR_OPENING_TAG) + "(.*?)" + re.escape(REFLEX_VAR_CLOSING_TAG), re.DOTALL
)
_VAR_ID = re.compile(r"-?[0-9]+")


def literal_text(value: str) -> StringVar:
    """`value` as a string Var that Reflex never parses: the browser shows it literally.

    Args:
        value: Any text, user-controlled or not.

    Returns:
        A string Var whose JavaScript is the JSON-encoded text.
    """
    if not isinstance(value, str):
        raise TypeError(f"literal_text takes a str, not {type(value).__name__}")
    # The dataclass constructor, not `create`: `create` is the marker scan. Not a *literal*
    # Var either: Reflex merges literal strings of an f-string and parses the result again,
    # while this one stays an expression (`f"Hi {literal_text(name)}"` is safe too). "<" is
    # written as \u003c, so the JavaScript carries no marker (nor "</script>") should any
    # code scan an expression that embeds it; ASCII-only also escapes lone surrogates. The
    # expression is valid JSON, so an event argument decodes back to `value` exactly.
    return StringVar(
        _js_expr=json.dumps(value).replace("<", "\\u003c"), _var_type=str, _var_data=None
    )


# Toast props that are shown as text (a str there would be parsed like the message).
_TEXT_PROPS = ("title", "description")


def _toast_message(message: str | Var[str]) -> Var[str]:
    # A Var is code-built (an i18n `tr(...)` switch), never user text; a str goes literal.
    return message if isinstance(message, Var) else literal_text(message)


def _toast_props(props: dict[str, Any]) -> dict[str, Any]:
    return {
        name: literal_text(value) if name in _TEXT_PROPS and isinstance(value, str) else value
        for name, value in props.items()
    }


def _toast(level: str, message: str | Var[str], props: dict[str, Any]) -> EventSpec:
    """Sonner's `toast[level](message, props)`, built as `rx.toast` builds it.

    Except that the text stays sonner's message: `rx.toast` moves a Var message into the
    `title` prop, and sonner updates the toast that has the same `id` by setting its title
    to the (then empty) message, so a repeated toast would turn blank.
    """
    command = ObjectVar.__getattr__(toast_ref.to(dict), level).to(FunctionVar)
    props = _toast_props(props)
    options = LiteralVar.create(ToastProps(component_name="rx.toast", **props))  # pyright: ignore[reportCallIssue]
    return run_script(command.call(_toast_message(message), options))


def copy_to_clipboard(value: Var[str] | str, *, then: EventSpec | None = None) -> EventSpec:
    """Copy a state var's text (a link, a message) to the clipboard.

    Typed `| str` because a state's field reads as its Python type at class level, but
    only a Var passes.

    Only a Var: a Python str given to `rx.set_clipboard` becomes a Var and is parsed for
    Reflex's markers, which user text must never be.

    Args:
        value: The text to copy.
        then: The event that runs once the browser has taken the text (a handler saying
            "Copied": state vars are not defined where it runs); not run when the browser
            refuses (no permission). Offer a copy only where `UiState.can_copy` holds: on
            a page that is not secure the browser has no clipboard and nothing happens.

    Raises:
        TypeError: `value` is not a Var.
    """
    if not isinstance(value, Var):
        raise TypeError("copy_to_clipboard takes a state var, never a Python str")
    copy = rx.set_clipboard(value)
    if then is None:
        return copy
    # Reflex's own clipboard call, with a callback: run when the write's promise resolves.
    write = {str(name): arg for name, arg in copy.args}["function"]
    return rx.call_function(write, callback=then)


def toast_info(message: str | Var[str], **props: Any) -> EventSpec:
    """An info toast showing `message` (and a str title or description) literally.

    A toast given the `id` of one still on screen replaces it (sonner).
    """
    return _toast("info", message, props)


def toast_success(message: str | Var[str], **props: Any) -> EventSpec:
    """A success toast showing `message` (and a str title or description) literally."""
    return _toast("success", message, props)


def toast_error(message: str | Var[str], **props: Any) -> EventSpec:
    """An error toast showing `message` (and a str title or description) literally."""
    return _toast("error", message, props)


def scroll_to(element_id: str) -> EventSpec:
    """Scroll the element with `element_id` into view (the id passed as literal text)."""
    # Typed `str`, but the id only goes through `FunctionVar.call`, which takes a Var as is.
    return rx.scroll_to(literal_text(element_id))  # pyright: ignore[reportArgumentType]


def empty_field(element_id: str) -> EventSpec:
    """Empty the page's own field with `element_id` (a form field no state var holds)."""
    # The id is a code constant, made a ref name; the value a literal "": no user text.
    return rx.set_value(element_id, literal_text(""))


class ForgedVarMarker(AssertionError):
    """A string carries Reflex's Var marker without naming a Var Reflex registered."""


def check_markers(value: str) -> None:
    """Refuse a string whose Var markers were not written by Reflex's own `Var.__format__`.

    Reflex formats a Var inside an f-string as `<reflex.Var>id</reflex.Var>` followed by
    that Var's JavaScript, with `id` a key of its registry of formatted Vars. Anything
    else (unknown id, non-numeric content, a JavaScript that does not follow) is user text
    that slipped past `literal_text`. Scans as Reflex does: a real Var's JavaScript is
    skipped, not searched.

    Args:
        value: The string about to be parsed.

    Raises:
        ForgedVarMarker: A marker that does not refer to a registered Var.
    """
    position = 0
    while match := _MARKER.search(value, position):
        content = match.group(1)
        var = _global_vars.get(int(content)) if _VAR_ID.fullmatch(content) else None
        if var is None or not value.startswith(var._js_expr, match.end()):
            raise ForgedVarMarker(
                f"user text reached Reflex's Var parser: {value[:200]!r}; "
                "build it with chat_app.states.safe_text.literal_text"
            )
        position = match.end() + len(var._js_expr)


def install_marker_guard() -> None:
    """Make `LiteralStringVar.create` raise on a forged marker (tests only; idempotent)."""
    current = LiteralStringVar.create
    if getattr(current, "_chat_marker_guard", False):
        return
    original = current.__func__  # pyright: ignore[reportFunctionMemberAccess]

    def guarded(cls: type[LiteralStringVar], value: str, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and REFLEX_VAR_OPENING_TAG in value:
            check_markers(value)
        return original(cls, value, *args, **kwargs)

    guarded._chat_marker_guard = True  # pyright: ignore[reportFunctionMemberAccess]
    LiteralStringVar.create = classmethod(guarded)  # pyright: ignore[reportAttributeAccessIssue]


def install_marker_guard_if_requested() -> bool:
    """Install the guard when `STRICT_MARKERS_VARIABLE` is "1" (tests set it).

    Returns:
        Whether the guard was installed.
    """
    if os.environ.get(STRICT_MARKERS_VARIABLE) != "1":
        return False
    install_marker_guard()
    return True
