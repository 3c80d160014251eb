"""The `date` and `time` template filters, remembering what they wrote for plain dates and times.

A page formats the same few dates many times (a timeline of 50 logs, the follow-ups' due dates),
and Django's filters parse the format string and look up the translated names every time (15–20 µs
each, 150–200 on the client page). The text depends only on the value, the format and the language
for a `datetime.date` or a naive `datetime.time`, so those are remembered per process; anything
else (datetimes, which carry a time zone, named formats such as "SHORT_DATE_FORMAT", which follow
settings) goes to Django's own filter. Same output, same flags as Django's filters.

Installed as a template builtin (config/settings.py TEMPLATES OPTIONS "builtins"), after Django's
own, so `{{ value|date:"Y年n月j日" }}` in every template uses it.
"""

import datetime
from functools import lru_cache

from django import template
from django.template import defaultfilters
from django.utils.formats import FORMAT_SETTINGS
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=8192)
def _date_text(value: datetime.date, arg: str, language: str | None) -> str:
    return defaultfilters.date(value, arg)


@lru_cache(maxsize=2048)
def _time_text(value: datetime.time, arg: str, language: str | None) -> str:
    return defaultfilters.time(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's `date` filter; a plain date with an explicit format is formatted once per process."""
    if type(value) is datetime.date and isinstance(arg, str) and arg and arg not in FORMAT_SETTINGS:
        return _date_text(value, arg, get_language())
    return defaultfilters.date(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def time(value, arg=None):
    """Django's `time` filter; a naive time with an explicit format is formatted once per process."""
    if (
        type(value) is datetime.time
        and value.tzinfo is None
        and isinstance(arg, str)
        and arg
        and arg not in FORMAT_SETTINGS
    ):
        return _time_text(value, arg, get_language())
    return defaultfilters.time(value, arg)
