"""The real background worker in tests: django-tasks' database queue and its `db_worker` command.

The suite runs tasks at once (tests/conftest.py); a test that asks for `task_queue` (tests/conftest.py) gets the database
queue instead, so a download only enqueues, and `run_worker()` then runs the project's own worker
command over what is queued, in this process, until the queue is empty (`--batch`). Such tests use
`committed_db`: the worker commits as it would in production, and its connection handling (it closes
connections between tasks) cannot run inside a test's wrapping transaction.
"""

import signal

from django.core.management import call_command

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


def run_worker() -> None:
    """`manage.py db_worker --batch`: runs every queued task, then returns."""
    # The command installs its own handlers for a graceful stop; pytest's are put back afterwards.
    handlers = {number: signal.getsignal(number) for number in SIGNALS}
    try:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
