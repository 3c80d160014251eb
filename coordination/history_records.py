"""Saves that write their own history record."""

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def history_paused(instance) -> Iterator[None]:
    """Saves of `instance` inside write no history record; the caller writes the one record itself."""
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving
