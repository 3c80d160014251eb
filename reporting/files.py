"""The report's files as users download them: a finalized version byte for byte, else made from the data.

The PDF and the Excel file cost a second or two of CPU each, so they are made off the request path
by the background worker (reporting/tasks.py, `manage.py db_worker`) and kept in ReportFile under a
hash of the data they are made from (`FileSpec.key`). Building the report itself is cheap (a few
queries), so a download builds it, hashes it and finds the file made from the same data, or asks the
worker for it: the same draft downloads at once the second time, and a draft whose data changed never
finds an old file. The HTML and JSON files are cheap and made in the request, as before.
"""

import functools
import hashlib
import json
import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Office
from coordination.fiscal import FiscalPeriod

from . import selectors
from .kinds import QUARTERLY
from .models import ReportFile, ReportVersion
from .quarterly import build_quarterly_report
from .render import FORMATS, Format
from .render.json import report_from_dict, report_to_dict
from .tables import Report

logger = logging.getLogger(__name__)

# A file still 作成中 after this long has lost its worker (stopped mid-render, say): the page then
# offers to make it again, as for a failed one.
STALE_AFTER = timedelta(minutes=10)

# What a file's bytes depend on besides its data: the renderers, their templates and the stylesheet.
# Their contents are part of the key, so an upgrade that changes how reports look makes new files.
RENDERER_SOURCES = (
    "reporting/render/*.py",
    "reporting/tables.py",
    "templates/reporting/document.html",
    "templates/reporting/_report.html",
    "templates/reporting/_text_row.html",
    "static/css/report.css",
)


class NoSuchVersion(LookupError):
    pass


@functools.cache
def renderer_fingerprint() -> str:
    digest = hashlib.sha256()
    for pattern in RENDERER_SOURCES:
        for path in sorted(Path(settings.BASE_DIR).glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class FileSpec:
    """One file to make: the report (and the prior period's), the format and its options."""

    office: Office
    kind: str
    period: FiscalPeriod
    format: Format
    report: Report
    previous: Report | None = None
    charts: bool = False
    made_at: datetime | None = None  # a dated format's date (a finalized version's time); None: when made
    version: ReportVersion | None = None  # set for a finalized version's own file

    def source(self) -> dict:
        """The data the worker renders from, as JSON."""
        return {
            "report": report_to_dict(self.report),
            "previous": report_to_dict(self.previous) if self.previous is not None else None,
            "made_at": self.made_at.isoformat() if self.made_at is not None and self.format.dated else None,
        }

    def key(self, source: dict | None = None) -> str:
        """A hash of everything the file's bytes depend on."""
        content = {
            "renderer": renderer_fingerprint(),
            "kind": self.kind,
            "format": self.format.identifier,
            "charts": self.charts,
            "version": self.version.pk if self.version is not None else None,
            "source": source if source is not None else self.source(),
        }
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def render(self) -> bytes:
        return self.format.render(self.report, self.previous, made_at=self.made_at, charts=self.charts)


@dataclass(frozen=True)
class FileResult:
    """A download's answer: the file's bytes when they are there, else the file being made (or failed)."""

    content: bytes | None
    file: ReportFile | None = None


def draft_spec(
    office: Office,
    period: FiscalPeriod,
    identifier: str,
    *,
    version_number: int | None = None,
    compare: bool = False,
    charts: bool = False,
) -> FileSpec | bytes:
    """The 業務報告書's file to make, or the stored bytes of a finalized version's file (whose stored file
    has neither the prior-period column nor the charts: with them it is made again from its data)."""
    format = FORMATS[identifier]
    if version_number is not None:
        version = selectors.version_of(office, period, version_number)
        if version is None:
            raise NoSuchVersion(version_number)
        report = None
    else:
        state = selectors.report_state(office, period)
        version, report = (state.latest if state.is_final else None), state.report
    compare = compare and format.takes_previous
    charts = charts and format.takes_charts
    if version is not None and not compare and not charts:
        if version_number is None:  # report_state's versions come without their files
            version = ReportVersion.objects.get(pk=version.pk)
        content = version.file(identifier)
        if content:
            return content
        return version_spec(version, format, report_from_dict(version.data))
    if version is not None:
        report = report_from_dict(version.data)
    previous = build_quarterly_report(office, period.previous_year()) if compare else None
    made_at = version.finalized_at if version is not None else None
    return FileSpec(office, QUARTERLY, period, format, report, previous, charts, made_at)


def version_spec(version: ReportVersion, format: Format, report: Report) -> FileSpec:
    """A finalized version's own file in one format, dated by its finalization."""
    record = version.report
    return FileSpec(
        record.office, QUARTERLY, record.period, format, report, made_at=version.finalized_at, version=version
    )


def report_file(office: Office, period: FiscalPeriod, identifier: str, **options) -> bytes:
    """The 業務報告書's file made now, in this process (the command line's `quarterly_report`)."""
    spec = draft_spec(office, period, identifier, **options)
    return spec if isinstance(spec, bytes) else spec.render()


def download(spec: FileSpec | bytes, *, retry: bool = False) -> FileResult:
    """A file for a download: made in the request when cheap, else from the worker's files."""
    if isinstance(spec, bytes):
        return FileResult(spec)
    if not spec.format.background:
        return FileResult(spec.render())
    file = request_file(spec, retry=retry)
    if file.state != ReportFile.State.READY:
        return FileResult(None, file)
    if file.version_id is not None:
        return FileResult(ReportVersion.objects.only(file.format).get(pk=file.version_id).file(file.format))
    return FileResult(bytes(file.content))


def request_file(spec: FileSpec, *, retry: bool = False) -> ReportFile:
    """The worker's file for `spec`: made already, being made, or failed (made again when `retry` says so).

    A file not asked for yet is enqueued in the same transaction as its row, so the worker never sees
    one without the other. A backend that runs tasks at once (the tests') has made it on return.
    """
    source = spec.source()
    key = spec.key(source)
    file = ReportFile.objects.defer("source").filter(key=key).first()
    if file is None:
        try:
            with transaction.atomic():
                file = ReportFile.objects.create(
                    key=key,
                    office=spec.office,
                    kind=spec.kind,
                    fiscal_year=spec.period.fiscal_year,
                    first_quarter=spec.period.first_quarter,
                    last_quarter=spec.period.last_quarter,
                    format=spec.format.identifier,
                    compare=spec.previous is not None,
                    charts=spec.charts,
                    version=spec.version,
                    source=source,
                )
                _enqueue(file)
        except IntegrityError:  # asked for by someone else meanwhile
            pass
        return ReportFile.objects.defer("source").get(key=key)
    if retry and (file.state == ReportFile.State.FAILED or is_stale(file)):
        with transaction.atomic():
            ReportFile.objects.filter(pk=file.pk).update(
                state=ReportFile.State.PENDING, error="", requested_at=timezone.now(), finished_at=None
            )
            _enqueue(file)
        file.refresh_from_db()
    if file.version_id is not None and file.state == ReportFile.State.READY:
        _fill_version(file.pk)
    return file


def _enqueue(file: ReportFile) -> None:
    from .tasks import render_report_file  # the task module imports this one

    render_report_file.enqueue(file.pk)


def is_stale(file: ReportFile) -> bool:
    return file.state == ReportFile.State.PENDING and file.requested_at < timezone.now() - STALE_AFTER


def render(file_id: int) -> None:
    """The worker's job: makes the file from its stored data, keeps it, and keeps only the latest of its kind."""
    file = ReportFile.objects.filter(pk=file_id).first()
    if file is None or file.state == ReportFile.State.READY:
        return
    started = time.perf_counter()
    try:
        source = file.source
        made_at = source.get("made_at")
        spec = FileSpec(
            file.office,
            file.kind,
            FiscalPeriod(file.fiscal_year, file.first_quarter, file.last_quarter),
            FORMATS[file.format],
            report_from_dict(source["report"]),
            report_from_dict(source["previous"]) if source.get("previous") else None,
            file.charts,
            datetime.fromisoformat(made_at) if made_at else None,
        )
        content = spec.render()
    except Exception as error:
        ReportFile.objects.filter(pk=file.pk).update(
            state=ReportFile.State.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now()
        )
        logger.exception("report file %s (%s) failed", file.pk, file.format)
        raise
    seconds = time.perf_counter() - started
    ReportFile.objects.filter(pk=file.pk).update(
        state=ReportFile.State.READY, content=content, finished_at=timezone.now(), render_seconds=seconds
    )
    logger.info("report file %s (%s) made in %.2f s", file.pk, file.format, seconds)
    if file.version_id is not None:
        _fill_version(file.pk)
    else:
        prune(file)


def _fill_version(file_id: int) -> None:
    """Copies a finalized version's file into the version, once; the row keeps no second copy.

    Both the worker (on finishing) and a request (on finding the file ready) call this after their
    own write, so whichever comes second sees the other's: the version is filled either way.
    """
    file = ReportFile.objects.filter(pk=file_id, state=ReportFile.State.READY).first()
    if file is None or file.version_id is None or file.content is None:
        return
    with transaction.atomic():
        ReportVersion.objects.filter(pk=file.version_id, **{file.format: b""}).update(**{file.format: file.content})
        ReportFile.objects.filter(pk=file.pk).update(content=None)


def prune(file: ReportFile) -> None:
    """Drops the files of one report, format and options asked for before this one (made from older data);
    one asked for later, and any still being made, stays."""
    ReportFile.objects.filter(
        requested_at__lt=file.requested_at,
        office_id=file.office_id,
        kind=file.kind,
        fiscal_year=file.fiscal_year,
        first_quarter=file.first_quarter,
        last_quarter=file.last_quarter,
        format=file.format,
        compare=file.compare,
        charts=file.charts,
        version__isnull=True,
    ).exclude(state=ReportFile.State.PENDING).delete()


def make_version_files(version: ReportVersion, report: Report) -> None:
    """A version's worker-made files: a draft file made from the same data is copied at once (the PDF of
    an unchanged draft someone downloaded); the others are enqueued with the version's transaction."""
    for format in FORMATS.values():
        if not format.background:
            continue
        spec = version_spec(version, format, report)
        twin = ReportFile.objects.filter(key=replace(spec, version=None).key(), state=ReportFile.State.READY).first()
        if twin is not None and twin.content is not None:
            ReportVersion.objects.filter(pk=version.pk).update(**{format.identifier: twin.content})
            setattr(version, format.identifier, bytes(twin.content))
        else:
            request_file(spec)


def status(file: ReportFile) -> str:
    """What the page shows: "ready", "pending", or "failed" (a failed file, or one stuck 作成中)."""
    if file.state == ReportFile.State.PENDING and is_stale(file):
        return ReportFile.State.FAILED
    return file.state
