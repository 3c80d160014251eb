"""Report files off the request path (issue 18): the background worker makes the PDF and the Excel file,
kept under the data they were made from.

These tests use the database queue and run the real worker (`manage.py db_worker --batch`,
tests/reporting/worker.py), on SQLite and on PostgreSQL alike (scripts/test-both-databases). What they
observe is what a user and an operator can see: the answer to a download (作成中 or the file), the
files kept in ReportFile and the tasks in the queue's table.
"""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts.models import Office, User
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart
from coordination.logs.services import CounterpartEntry, contact_log_create, contact_log_update
from directory.models import CounterpartCategory
from reporting.models import QuarterlyReport, ReportFile, ReportVersion
from tests.reporting.worker import run_worker

# A period of its own (令和7年度 第4四半期, January–March 2026), so that what these tests commit
# meets no other test's report.
PERIOD = "fiscal_year=2025&quarters=4"
OFFICE = "北区医療的ケア児等コーディネーター事業"


def url(format: str, query: str = PERIOD) -> str:
    return f"{reverse('reporting:download', args=[format])}?{query}"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def office(committed_db) -> Office:
    return Office.objects.get(name=OFFICE)


@pytest.fixture
def supervisor_client(client, committed_db):
    client.force_login(User.objects.get(username="supervisor"))
    return client


@pytest.fixture
def a_log(office, committed_db):
    """A log of the period saved through the service (committed: these tests run a real worker), then
    removed with its history, the files and the tasks the test made, and any report of the period."""
    coordinator = User.objects.get(username="coordinator")
    log = contact_log_create(
        office=office,
        coordinator=coordinator,
        occurred_on=date(2026, 2, 10),
        started_at=time(10, 0),
        duration_minutes=20,
        method=ContactMethod.objects.get(code="phone"),
        activity_types=[ActivityType.objects.get(code="discharge")],
        counterparts=[CounterpartEntry(category=CounterpartCategory.objects.get(code="party-parent-mother"))],
        report_summary="退院に向けた調整",
        include_in_report=True,
    )
    yield log
    ReportFile.objects.filter(office=office, fiscal_year=2025, first_quarter=4).delete()
    DBTaskResult.objects.all().delete()
    records = QuarterlyReport.objects.filter(office=office, fiscal_year=2025, first_quarter=4, last_quarter=4)
    ReportVersion.objects.filter(report__in=records).delete()
    QuarterlyReport.history.filter(id__in=records.values("pk")).delete()
    records.delete()
    ContactLog.objects.filter(pk=log.pk).delete()
    history = ContactLog.history.filter(id=log.pk)
    ContactLog.history.model.activity_types.model.objects.filter(history__in=history).delete()
    history.delete()
    Counterpart.history.filter(contact_log_id=log.pk).delete()


def tasks() -> int:
    return DBTaskResult.objects.count()


def test_the_first_download_says_in_progress_and_the_worker_makes_the_file(supervisor_client, a_log, task_queue):
    first = supervisor_client.get(url("pdf"))
    assert first.status_code == 202
    assert "作成中" in page_text(first)
    assert tasks() == 1 and DBTaskResult.objects.get().status == "READY"
    status_url = reverse("reporting:file_status", args=[ReportFile.objects.get().pk])
    assert f'data-file-status="{status_url}"' in page_text(first)
    assert supervisor_client.get(status_url).json() == {"state": "pending"}

    run_worker()

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert supervisor_client.get(status_url).json() == {"state": "ready"}
    second = supervisor_client.get(url("pdf"))
    assert second.status_code == 200
    assert second["Content-Disposition"].startswith("attachment")
    assert body(second).startswith(b"%PDF")


def test_a_second_download_of_an_unchanged_draft_renders_nothing_and_one_after_a_log_changed_renders_again(
    supervisor_client, a_log, task_queue
):
    for format in ("pdf", "xlsx"):
        supervisor_client.get(url(format))
    run_worker()
    made = {file.format: (file.pk, file.finished_at, bytes(file.content)) for file in ReportFile.objects.all()}
    assert set(made) == {"pdf", "xlsx"} and tasks() == 2

    # Unchanged: the files come at once, nothing is enqueued, nothing is made again.
    for format in ("pdf", "xlsx"):
        again = supervisor_client.get(url(format))
        assert again.status_code == 200
        assert body(again) == made[format][2]
    assert tasks() == 2
    assert {file.format: (file.pk, file.finished_at, bytes(file.content)) for file in ReportFile.objects.all()} == made

    # A log of the period changes (its method, through the edit service): the next download makes a new file.
    contact_log_update(
        log=a_log,
        expected_version=a_log.version,
        user=User.objects.get(username="coordinator"),
        occurred_on=a_log.occurred_on,
        started_at=a_log.started_at,
        duration_minutes=a_log.duration_minutes,
        method=ContactMethod.objects.get(code="visit-home"),
        activity_types=list(a_log.activity_types.all()),
        counterparts=[CounterpartEntry(category=CounterpartCategory.objects.get(code="party-parent-mother"))],
        report_summary=a_log.report_summary,
        include_in_report=True,
    )
    changed = supervisor_client.get(url("pdf"))
    assert changed.status_code == 202 and "作成中" in page_text(changed)
    assert tasks() == 3
    run_worker()
    new = supervisor_client.get(url("pdf"))
    assert new.status_code == 200
    assert body(new) != made["pdf"][2]
    # Only the latest file of the draft's PDF is kept; the Excel file of the older data is still there
    # until the next Excel download replaces it.
    assert ReportFile.objects.filter(format="pdf").count() == 1
    assert ReportFile.objects.get(format="pdf").pk != made["pdf"][0]


def test_the_options_are_files_of_their_own(supervisor_client, a_log, task_queue):
    supervisor_client.get(url("pdf"))
    supervisor_client.get(url("pdf", f"{PERIOD}&compare=on&charts=on"))
    assert tasks() == 2
    run_worker()
    plain, extended = (body(supervisor_client.get(url("pdf", q))) for q in (PERIOD, f"{PERIOD}&compare=on&charts=on"))
    assert plain.startswith(b"%PDF") and extended.startswith(b"%PDF") and plain != extended
    assert tasks() == 2


def test_the_other_kinds_files_come_from_the_worker_too(supervisor_client, a_log, task_queue):
    kind_url = f"{reverse('reporting:kind_download', args=['centre', 'xlsx'])}?{PERIOD}&compare=on"
    assert supervisor_client.get(kind_url).status_code == 202
    run_worker()
    response = supervisor_client.get(kind_url)
    assert response.status_code == 200 and body(response)[:2] == b"PK"
    assert supervisor_client.get(kind_url).status_code == 200
    assert tasks() == 1


def test_finalizing_saves_the_version_at_once_and_the_worker_makes_its_files_downloaded_byte_for_byte(
    supervisor_client, office, a_log, task_queue
):
    # The draft's PDF was downloaded before: finalizing the same data copies it into the version.
    supervisor_client.get(url("pdf"))
    run_worker()
    draft_pdf = body(supervisor_client.get(url("pdf")))

    response = supervisor_client.post(f"{reverse('reporting:finalize')}?{PERIOD}", follow=True)
    assert "報告書を確定しました" in page_text(response)
    version = ReportVersion.objects.get(report__office=office, report__fiscal_year=2025, report__first_quarter=4)
    assert version.data["period"]["quarters"] == [4, 4]
    assert bytes(version.pdf) == draft_pdf and bytes(version.xlsx) == b""
    assert body(supervisor_client.get(url("json", f"{PERIOD}&version=1")))  # the cheap ones at once

    waiting = supervisor_client.get(url("xlsx", f"{PERIOD}&version=1"))
    assert waiting.status_code == 202 and "作成中" in page_text(waiting)
    run_worker()

    version.refresh_from_db()
    assert bytes(version.xlsx)[:2] == b"PK"
    for format in ("xlsx", "pdf"):
        for query in (f"{PERIOD}&version=1", PERIOD):  # the version by number, and the standing one
            response = supervisor_client.get(url(format, query))
            assert response.status_code == 200
            assert body(response) == version.file(format)
    # The centre's copy of the version is the same file.
    centre = supervisor_client.__class__()
    centre.force_login(User.objects.get(username="centre"))
    response = centre.get(reverse("centre:version_file", args=[version.pk, "xlsx"]))
    assert body(response) == version.file("xlsx")


def test_a_failed_file_says_so_in_japanese_and_offers_to_make_it_again(supervisor_client, a_log, task_queue):
    supervisor_client.get(url("pdf"))
    file = ReportFile.objects.get()
    # Data the renderer cannot read (as a bug in it would): the worker's attempt fails.
    ReportFile.objects.filter(pk=file.pk).update(source={"report": {}, "previous": None, "made_at": None})
    run_worker()

    failed = supervisor_client.get(url("pdf"))
    assert failed.status_code == 200
    text = page_text(failed)
    assert "ファイルを作成できませんでした" in text and "もう一度作成する" in text
    status_url = reverse("reporting:file_status", args=[file.pk])
    assert supervisor_client.get(status_url).json() == {"state": "failed"}
    # The retry asks the worker again.
    retried = supervisor_client.get(url("pdf", f"{PERIOD}&retry=1"))
    assert retried.status_code == 202 and "作成中" in page_text(retried)
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_a_file_left_at_in_progress_by_a_stopped_worker_is_offered_again(supervisor_client, a_log, task_queue):
    supervisor_client.get(url("xlsx"))
    # No worker ran: the task waits. Eleven minutes later (a worker stopped mid-render, say) the page
    # stops promising the file and offers to make it again.
    file = ReportFile.objects.get()
    ReportFile.objects.filter(pk=file.pk).update(requested_at=file.requested_at - timedelta(minutes=11))
    page = supervisor_client.get(url("xlsx"))
    assert "ファイルを作成できませんでした" in page_text(page) and "もう一度作成する" in page_text(page)
    assert supervisor_client.get(url("xlsx", f"{PERIOD}&retry=1")).status_code == 202
    assert tasks() == 2
    run_worker()
    response = supervisor_client.get(url("xlsx"))
    assert response.status_code == 200 and body(response)[:2] == b"PK"
