"""Log lines that can be read side by side: ISO 8601 timestamps and the id of the request being served.

The request id comes from `config.middleware.RequestIdMiddleware` (which takes nginx's
`X-Request-ID` or makes one) and is sent back in the response header, so a line in the log, the
line in nginx's log and the line in gunicorn's access log of the same request share one id.
"""

import logging
from contextvars import ContextVar
from datetime import datetime

# Per thread and per task, so gunicorn's threads never see each other's id.
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)

NO_REQUEST_ID = "-"


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record: the request being served, or "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id.get()
        if request_id is None:
            # Django logs 4xx/5xx responses ("Not Found: /…") after the middleware has returned,
            # but passes the request along with the record.
            request_id = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id or NO_REQUEST_ID
        return True


class IsoFormatter(logging.Formatter):
    """`%(asctime)s` as ISO 8601 local time with milliseconds and offset: 2026-11-21T09:30:00.123+09:00."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")
