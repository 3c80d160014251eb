"""The spreadsheet import flow every import shares: what a row would do, the all-or-nothing run,
and the upload kept between the dry-run preview and the confirmation.

Between the preview and the confirmation the uploaded file waits in `var/imports/` under a
random token that the uploader's session lists; the confirmation reads the same bytes again and
imports them for real. Parsed rows never go into the session (which lives in the database and is
signed, not encrypted), and nothing needs uploading twice. The file (owner-only, in an owner-only
folder) is deleted on confirmation or cancellation, and any left behind (a closed tab) is deleted
by the next upload once it is an hour old: personal data waits on disk no longer than a preview
needs (a session idles out after 30 minutes anyway).

Each app registers its kinds in `KINDS` from its `AppConfig.ready()` (tabular imports none of our
apps); `tabular.views` runs the same screens for every kind. A resource used here provides
`columns()`, `required_columns`, `column_of(key)`, `sheet_row(n)` and `row_label(row)`;
`tabular.resources.SheetImportMixin` gives it all but the label.
"""

import logging
import os
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from .spreadsheets import Sheet

logger = logging.getLogger(__name__)

SESSION_KEY = "tsunagu_imports"
STALE_AFTER_SECONDS = 60 * 60
# Shown when a confirmed import finds errors the preview did not (the data changed in between).
NOTHING_IMPORTED = "エラーのある行があるため、何も取り込みませんでした。内容を直してからもう一度取り込んでください。"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class ImportKind:
    """One thing that can be imported; its identifier must be unique across the whole site."""

    identifier: str
    verbose_name: str
    resource_class: type
    # The downloadable template's file name, without the extension.
    template_stem: str
    # Who may use it: every one of these permissions.
    permissions: tuple[str, ...]
    # The URL name of the list the kind fills: where a confirmed import goes.
    list_url: str
    # (request, sheet) -> the resource importing one upload, bound to what the request allows
    # (the user's office, for instance).
    make_resource: Callable
    # Shown on the upload page under the kind's template links; "" for none.
    help_template: str = ""
    # Place on the upload page's list of kinds (what is imported first comes first).
    position: int = 0
    # Models ("app_label.Model") whose table statistics are refreshed after a confirmed import, so
    # that the query planner sees a bulk of new rows at once rather than after autovacuum's next pass.
    refreshes: tuple[str, ...] = ()

    def may_be_used_by(self, user) -> bool:
        return user.has_perms(self.permissions)


# Every kind of the site by identifier, filled by the apps' `AppConfig.ready()`.
KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    """Adds a kind to `KINDS`; another kind under the same identifier is a mistake."""
    if KINDS.setdefault(kind.identifier, kind) != kind:
        raise ImproperlyConfigured(f"Two import kinds are called {kind.identifier!r}.")


def kinds_for(user) -> list[ImportKind]:
    """The kinds the user may import, in their order on the upload page."""
    return sorted((kind for kind in KINDS.values() if kind.may_be_used_by(user)), key=lambda kind: kind.position)


ACTION_LABELS = {"new": "追加", "update": "更新", "skip": "変更なし", "invalid": "エラー", "error": "エラー"}


@dataclass
class RowOutcome:
    """One row of the file as the preview shows it."""

    number: int
    action: str
    label: str
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


@dataclass
class ImportReport:
    kind: ImportKind
    rows: list[RowOutcome] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def counts(self) -> Counter:
        return Counter("invalid" if row.errors else row.action for row in self.rows)

    @property
    def error_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.errors]

    def summary(self) -> str:
        counts = self.counts
        return f"追加 {counts['new']}件、更新 {counts['update']}件、変更なし {counts['skip']}件"


def template_dataset(kind: ImportKind) -> tablib.Dataset:
    """The columns and one example row (the resource class's `example()`), for the downloadable template."""
    example = kind.resource_class.example()
    dataset = tablib.Dataset(headers=list(example), title=kind.verbose_name)
    dataset.append(list(example.values()))
    return dataset


def run_import(*, resource, kind: ImportKind, sheet: Sheet, dry_run: bool) -> ImportReport:
    """Imports the sheet's rows through the resource, or with `dry_run` shows what it would do; all rows or none."""
    report = ImportReport(kind=kind)
    columns = resource.columns()
    headers = sheet.dataset.headers or []
    report.ignored_columns = [header for header in headers if header not in columns]
    missing = [column for column in resource.required_columns if column not in headers]
    if missing:
        report.file_errors.append(
            f"必要な列がありません：{'、'.join(missing)}。ひな形の1行目の見出しをそのまま使ってください。"
        )
        return report
    if not len(sheet.dataset):
        report.file_errors.append("取り込む行がありません。2行目から入力してください。")
        return report

    with transaction.atomic():
        # This block is the import's one transaction, rolled back after a dry run or any error.
        # import-export's own transactions would add a savepoint around every row: two queries a
        # row. The services each row saves through keep theirs, so a failed write stays in its row.
        result = resource.import_data(sheet.dataset, dry_run=False, use_transactions=False)
        for error in result.base_errors:
            logger.error("Import of %s failed: %s", kind.identifier, error.error, exc_info=error.error)
            report.file_errors.append("ファイル全体を取り込めませんでした。列の見出しと内容を確かめてください。")
        for index, row_result in enumerate(result.rows, start=1):
            report.rows.append(_outcome(resource, headers, index, row_result))
        if dry_run or report.has_errors:
            # All or nothing; the dry run saved every row to show what would happen, and undoes it.
            transaction.set_rollback(True)
    if not dry_run and not report.has_errors:
        refresh_statistics(kind.refreshes)
    return report


def refresh_statistics(labels: tuple[str, ...]) -> None:
    """ANALYZE the models' tables (PostgreSQL's planner statistics, SQLite's sqlite_stat1)."""
    with connection.cursor() as cursor:
        for label in labels:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(apps.get_model(label)._meta.db_table)}")


def _outcome(resource, headers: list[str], index: int, row_result) -> RowOutcome:
    outcome = RowOutcome(
        number=resource.sheet_row(index),
        action=row_result.import_type,
        label=resource.row_label(row_result.row_values or {}),
    )
    if row_result.validation_error is not None:
        error = row_result.validation_error
        items = error.error_dict.items() if hasattr(error, "error_dict") else [("", error.error_list)]
        for key, errors in items:
            column = resource.column_of(key)
            for message in errors:
                outcome.errors.extend((column, text) for text in message.messages)
        # In the file's column order, row-wide messages last.
        order = {header: position for position, header in enumerate(headers)}
        outcome.errors.sort(key=lambda item: order.get(item[0], len(order)))
    for error in row_result.errors:
        logger.error("Import row %s failed", outcome.number, exc_info=error.error)
        outcome.errors.append(("", "この行は取り込めませんでした（システムのエラー）。管理者に連絡してください。"))
    return outcome


# --- the upload kept between preview and confirmation ----------------------------------------------


@dataclass(frozen=True)
class StagedUpload:
    token: str
    kind: ImportKind
    name: str
    content: bytes


def import_dir() -> Path:
    return Path(getattr(settings, "TSUNAGU_IMPORT_DIR", settings.BASE_DIR / "var" / "imports"))


def _path(token: str, file_format: str) -> Path:
    return import_dir() / f"{token}.{file_format}"


def stage_upload(session, *, kind: ImportKind, name: str, file_format: str, content: bytes) -> str:
    """Keeps an upload for its preview and confirmation; returns the token naming it."""
    _remove_stale()
    directory = import_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(24)
    # Owner-only: the file may hold personal data until it is imported or cancelled.
    descriptor = os.open(_path(token, file_format), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    staged = dict(session.get(SESSION_KEY, {}))
    staged[token] = {"kind": kind.identifier, "name": name, "format": file_format}
    session[SESSION_KEY] = staged
    return token


def staged_upload(session, token: str, *, kinds: Mapping[str, ImportKind]) -> StagedUpload | None:
    """The upload of one of `kinds` this session staged under the token, or None (unknown, someone
    else's, another screen's kind, or gone)."""
    entry = session.get(SESSION_KEY, {}).get(token) if _TOKEN.match(token) else None
    if entry is None or entry["kind"] not in kinds:
        return None
    try:
        content = _path(token, entry["format"]).read_bytes()
    except FileNotFoundError:
        return None
    return StagedUpload(token=token, kind=kinds[entry["kind"]], name=entry["name"], content=content)


def discard_upload(session, token: str) -> None:
    staged = dict(session.get(SESSION_KEY, {}))
    entry = staged.pop(token, None)
    session[SESSION_KEY] = staged
    if entry is not None and _TOKEN.match(token):
        _path(token, entry["format"]).unlink(missing_ok=True)


def _remove_stale() -> None:
    directory = import_dir()
    if not directory.is_dir():
        return
    cutoff = time.time() - STALE_AFTER_SECONDS
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
