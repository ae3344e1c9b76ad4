"""When a message was sent, as chat apps write it: the time today, the day before that.

A conversation or a chat list that spans days showed "09:12" for a message of last week.
Now a time of today stays "09:12"; yesterday's reads "Yesterday 09:12" ("昨天 09:12"), the
six days before "Wed 09:12" ("周三 09:12"), anything older its date in the tab's
language ("11/20/2026", "2026/11/20"). moment.js picks the case in the browser, in the
reader's time zone, and its pooled timer turns "today" into "yesterday" after midnight.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.states.ui import moment_locale, tr


def _calendar(time: str) -> dict[str, Any]:
    """moment.js `calendar` formats; `time` is added after the day (" HH:mm" or nothing)."""
    yesterday = "[" + tr("time_yesterday") + "]"
    return {
        "sameDay": "HH:mm",
        "lastDay": yesterday + time,
        "lastWeek": "ddd" + time,
        "sameElse": "L" + time,
        # A clock a little behind the server's: a message may look sent tomorrow.
        "nextDay": "L" + time,
        "nextWeek": "L" + time,
    }


def bubble_time(sent_at: Any) -> rx.Component:
    """A message's time under its text: the day too when it is not today; all of it on hover.

    Args:
        sent_at: The message's ISO 8601 time (UTC).

    Returns:
        The time component.
    """
    return rx.moment(
        sent_at,
        calendar=_calendar(" HH:mm"),
        locale=moment_locale(),
        with_title=True,
        title_format="LLLL",
        class_name="message-time",
    )


def row_time(sent_at: Any, **props: Any) -> rx.Component:
    """A chat row's last activity: the time today, else only the day ("Yesterday", "Wed").

    Args:
        sent_at: The last message's ISO 8601 time (UTC).
        **props: More props (size, colour, class).

    Returns:
        The time component.
    """
    return rx.moment(sent_at, calendar=_calendar(""), locale=moment_locale(), **props)
