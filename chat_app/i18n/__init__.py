"""Every UI string, one table per language (en.py, zh.py). A leaf package: data and a lookup.

Keys are stable identifiers; services return error codes that are keys here.
"""

from __future__ import annotations

from chat_app.i18n.en import EN
from chat_app.i18n.zh import ZH

DEFAULT_LANGUAGE = "en"

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
