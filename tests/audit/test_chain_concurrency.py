"""Appends from several threads at once (each its own connection, committed) still make one chain.

Without the append lock two requests would read the same last row and both chain to it. Runs on
whatever database the suite runs on; the rows stay (the log is append-only), chained like any other.
"""

import threading

from django.db import connection

from audit.models import AccessEvent, Action
from audit.services import access_event_record

from .test_chain import verify


def test_rows_appended_from_many_threads_at_once_still_make_one_chain(committed_db):
    threads_count, per_thread = 6, 15
    errors = []

    def append(number):
        try:
            for step in range(per_thread):
                access_event_record(request=None, action=Action.VIEW, username=f"chain-{number}-{step}")
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(number,)) for number in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AccessEvent.objects.filter(username__startswith="chain-").count() >= threads_count * per_thread
    assert "件、改ざんなし" in verify()
