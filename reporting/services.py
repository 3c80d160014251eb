"""Writes on reports: editing a draft's texts, finalizing, opening a new draft."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Office, User
from coordination.fiscal import FiscalPeriod

from . import files
from .models import QuarterlyReport, ReportVersion
from .render import FORMATS
from .render.json import report_to_dict
from .selectors import draft_report

ALREADY_FINAL = "この報告書は確定済みです。変更するには「新しい下書きを作成」してください。"
TEXTS_CONFLICT = (
    "ほかの人が先にこの下書きを保存しました。あなたの入力はまだ保存されていません。"
    "報告書のページで保存された内容を確かめてから、もう一度保存してください。"
)


class TextsConflict(ValidationError):
    """The draft was saved by someone else after the editor read it."""

    def __init__(self):
        super().__init__(TEXTS_CONFLICT, code="conflict")


def _record_for_update(office: Office, period: FiscalPeriod, user: User) -> tuple[QuarterlyReport, bool]:
    """The period's record locked for this transaction, and whether it was created just now."""
    key = {
        "office": office,
        "fiscal_year": period.fiscal_year,
        "first_quarter": period.first_quarter,
        "last_quarter": period.last_quarter,
    }
    try:
        return QuarterlyReport.objects.select_for_update().get(**key), False
    except QuarterlyReport.DoesNotExist:
        pass
    # Created here rather than by get_or_create so that its history record names the user.
    record = QuarterlyReport(**key, updated_by=user)
    record._history_user = user
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # created meanwhile by someone else
        return QuarterlyReport.objects.select_for_update().get(**key), False
    return record, True


def _is_final(record: QuarterlyReport) -> bool:
    return not record.draft_open and record.versions.exists()


@transaction.atomic
def report_texts_update(
    *,
    office: Office,
    period: FiscalPeriod,
    user: User,
    schedule: str,
    texts: dict[str, dict[str, str]],
    seen: str | None = None,
) -> QuarterlyReport:
    """Keeps the texts a supervisor edited; a text equal to the generated one is not stored.

    A row missing from `texts` keeps its stored edit. `seen` is the draft's edit_token as the
    editor read it ("" when there was no draft yet): TextsConflict when the draft has been saved
    since. None skips the check.
    """
    record, created = _record_for_update(office, period, user)
    # A record created just now holds nothing anyone else saved.
    if seen is not None and not created and seen != record.edit_token:
        raise TextsConflict()
    if _is_final(record):
        raise ValidationError(ALREADY_FINAL)
    generated = draft_report(office, period, None)
    record.schedule = "" if schedule.strip() == generated.schedule else schedule.strip()
    stored, record.texts = record.texts, {}
    for section in generated.sections:
        number = str(section.number)
        for row in section.rows:
            text = texts.get(number, {}).get(row.key)
            if text is None:  # not on the editor's page: the stored edit stays
                if row.key in stored.get(number, {}):
                    record.texts.setdefault(number, {})[row.key] = stored[number][row.key]
            elif text.strip() != row.text:
                record.texts.setdefault(number, {})[row.key] = text.strip()
    record.updated_by = user
    record._history_user = user  # the report page's 変更履歴 names who did it
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def report_finalize(*, office: Office, period: FiscalPeriod, user: User) -> ReportVersion:
    """Freezes the draft's numbers and texts as a new version, with every format's file.

    The cheap files (HTML, JSON) are made here; the PDF and the Excel file by the background worker,
    enqueued in this transaction (reporting.files.make_version_files): the version and its data are
    saved at once, and its downloads say 作成中 until the worker has filled them in."""
    now = timezone.now()
    if period.end >= timezone.localdate(now):
        raise ValidationError(
            f"期間が終わっていない報告書は確定できません（期末：{period.date_range_label.split('～')[1]}）。"
        )
    record, _ = _record_for_update(office, period, user)
    if _is_final(record):
        raise ValidationError(ALREADY_FINAL)
    report = draft_report(office, period, record)
    last = record.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ReportVersion(
        report=record,
        number=last + 1,
        finalized_by=user,
        finalized_at=now,
        data=report_to_dict(report),
        **{
            identifier: b"" if format.background else format.render(report, made_at=now)
            for identifier, format in FORMATS.items()
        },
    )
    version.save()
    files.make_version_files(version, report)
    # As stored: filled already when the draft's file was made from the same data, or the tasks ran at once.
    version.refresh_from_db(fields=[identifier for identifier, format in FORMATS.items() if format.background])
    record.draft_open = False
    record.updated_by = user
    record._history_user = user  # the report page's 変更履歴 names who did it
    record.save()
    return version


@transaction.atomic
def report_draft_open(*, office: Office, period: FiscalPeriod, user: User) -> QuarterlyReport:
    """Starts a new draft that will supersede the finalized version; the versions are kept."""
    record, _ = _record_for_update(office, period, user)
    if not _is_final(record):
        raise ValidationError("この報告書はすでに下書き中です。")
    record.draft_open = True
    record.updated_by = user
    record._history_user = user  # the report page's 変更履歴 names who did it
    record.save()
    return record
