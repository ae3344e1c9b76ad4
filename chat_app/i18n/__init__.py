"""Every UI string, one table per language (en.py, zh.py, and one module per area with both).

A leaf package: data and a lookup.

Keys are stable identifiers; services return error codes that are keys here.
"""

from __future__ import annotations

from types import ModuleType

from chat_app.i18n import (
    accounts,
    admin_page,
    chat_export,
    en,
    invites,
    message_actions,
    message_search,
    my_account,
    registration,
    setup,
    zh,
)

DEFAULT_LANGUAGE = "en"

# Each area's strings live in a module of their own with an `EN` and a `ZH` table, so no
# table grows without bound and areas built side by side do not edit the same file.
_AREAS: tuple[ModuleType, ...] = (
    registration,
    accounts,
    invites,
    admin_page,
    setup,
    my_account,
    message_search,
    message_actions,
    chat_export,
)

EN: dict[str, str] = {**en.EN}
ZH: dict[str, str] = {**zh.ZH}
for _area in _AREAS:
    EN.update(_area.EN)
    ZH.update(_area.ZH)

TABLES: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}


def text(key: str, language: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The UI string for `key` in `language`, with `{name}` placeholders filled.

    Args:
        key: A key of the tables (unknown keys fall back to the generic error).
        language: "en" or "zh"; anything else uses the default language.
        **values: Values for the placeholders.

    Returns:
        The localised text.
    """
    table = TABLES.get(language, TABLES[DEFAULT_LANGUAGE])
    template = table.get(key) or table["error"]
    return template.format(**values) if values else template


def in_every_language(key: str, **values: object) -> dict[str, str]:
    """`text(key, ...)` in each language, by language.

    A message a state keeps so: a switch of language shows it translated at once
    (`states.ui.said`).
    """
    return {language: text(key, language, **values) for language in TABLES}
