"""The background worker's tasks (`manage.py db_worker`, django-tasks' database backend)."""

from django_tasks import task

from . import files


@task()
def render_report_file(file_id: int) -> None:
    """Makes a report file (PDF, Excel) from the data kept with its row (reporting.files.render)."""
    files.render(file_id)
