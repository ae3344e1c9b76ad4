"""What a tab sees when a handler fails unexpectedly: a generic message, never a trace."""

import logging

import reflex as rx

from chat_app.realtime import redis_link
from chat_app.realtime.profile import PROFILE
from chat_app.states.safe_text import toast_error
from chat_app.states.ui import tr

logger = logging.getLogger(__name__)


def backend_error_toast(exception: Exception) -> rx.event.EventSpec:
    """Log the failure for the operator and show the user a plain, localised message.

    Reflex's default shows the exception's type and text in dev mode; a forged event
    payload must not learn anything about the server that way.

    Args:
        exception: What the handler raised.

    Returns:
        A toast event for the tab.
    """
    if PROFILE.shared_by_workers and redis_link.is_redis_error(exception):
        # Every event fails while Redis is away: one line naming the setting, not a
        # traceback per click. The client retries nothing; the user's next action does.
        redis_link.report_outage(exception, "handling an event")
    else:
        logger.error("event handler failed", exc_info=exception)
    # The text is a var: the browser shows it in the tab's language.
    return toast_error(tr("error"), id="backend-error")
