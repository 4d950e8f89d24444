"""The dates ``--at`` and ``--since`` take, and the dates history shows.

A day (``2026-04-01``) means the whole day in UTC: ``at`` a day is the files as they were
at its end, ``since`` a day is from its start. A time (``2026-04-01T09:30``, with an
offset or ``Z``; without one, UTC) means that instant.
"""

from __future__ import annotations

import datetime as dt

from ..errors import UsageError

_UTC = dt.timezone.utc


def parse_when(value: str | dt.date | dt.datetime, flag: str, *, end_of_day: bool) -> int:
    """``value`` as seconds since the epoch; :class:`UsageError` naming ``flag``."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=_UTC)
        return int(moment.timestamp())
    if isinstance(value, dt.date):
        return _day(value, end_of_day)
    text = str(value).strip()
    try:
        if len(text) == 10:
            return _day(dt.date.fromisoformat(text), end_of_day)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        from ..util.text import excerpt

        raise UsageError(
            f"{flag} {excerpt(text)}: not a date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM[+HH:MM]"
        ) from None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=_UTC)).timestamp())


def _day(day: dt.date, end_of_day: bool) -> int:
    start = int(dt.datetime(day.year, day.month, day.day, tzinfo=_UTC).timestamp())
    return start + 86399 if end_of_day else start


def day(epoch: int) -> str:
    """A commit's date as ``YYYY-MM-DD`` (UTC)."""
    return dt.datetime.fromtimestamp(epoch, _UTC).strftime("%Y-%m-%d")


def instant(epoch: int) -> str:
    """A commit's date and time, ISO 8601 in UTC."""
    return dt.datetime.fromtimestamp(epoch, _UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
