"""A supervisor clicks PDF, sees 作成中, and gets the file once the background worker has made it (issue 18)."""

import threading

import pytest
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from reporting.models import ReportFile
from tests.browser.conftest import in_worker
from tests.browser.test_report import sign_in

pytestmark = pytest.mark.browser

# A period no other browser test opens (令和7年度 第4四半期).
PERIOD = "fiscal_year=2025&quarters=4"


@pytest.fixture
def clean_files(django_db_blocker):
    """Browser tests commit for real: remove the files and tasks this test makes."""
    yield

    def delete():
        with django_db_blocker.unblock():
            ReportFile.objects.filter(fiscal_year=2025, first_quarter=4, last_quarter=4).delete()
            DBTaskResult.objects.all().delete()

    in_worker(delete)


class WorkerThread:
    """The real worker loop of `manage.py db_worker` (django-tasks-db's Worker), in a thread of this process."""

    def __init__(self):
        self.worker = Worker(
            queue_names=["default"],
            interval=0.2,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="browser-test",
            excluded_queue_names=[],
        )
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            self.worker.run()
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.worker.running = False
        self.thread.join(timeout=30)


def test_a_supervisor_clicks_pdf_sees_in_progress_and_gets_the_file_once_the_worker_made_it(
    page, demo_site, screenshot, clean_files, task_queue, tmp_path
):
    sign_in(page, demo_site, "supervisor")
    page.goto(f"{demo_site}/reports/quarterly/?{PERIOD}")
    expect(page.get_by_role("heading", level=1, name="業務報告書", exact=True)).to_be_visible()

    page.get_by_role("link", name="PDF をダウンロード").click()
    expect(page.get_by_role("status")).to_contain_text("作成中")
    expect(page.get_by_role("link", name="報告書のページへ戻る")).to_be_visible()
    screenshot("report-file-pending", for_docs=True)
    download_link = page.get_by_role("link", name="業務報告書_令和7年度_第4四半期.pdf をダウンロード")
    expect(download_link).to_be_hidden()

    with WorkerThread():
        expect(download_link).to_be_visible(timeout=60_000)
        expect(page.get_by_text("作成中")).to_be_hidden()
        screenshot("report-file-ready")
        with page.expect_download() as download_info:
            download_link.click()
    download = download_info.value
    assert download.suggested_filename == "業務報告書_令和7年度_第4四半期.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    # The same draft again: the file comes at once, no 作成中 page (the worker is stopped now).
    page.goto(f"{demo_site}/reports/quarterly/?{PERIOD}")
    with page.expect_download() as again:
        page.get_by_role("link", name="PDF をダウンロード").click()
    assert again.value.suggested_filename == "業務報告書_令和7年度_第4四半期.pdf"
