"""A report's change history: the supervisor's text edits, finalizations and new drafts."""

from tabular.history import NOTHING, FieldChange, History, Tracked, history_entries

from .models import QuarterlyReport
from .tables import Report

# An empty schedule or a missing text means "as generated from the logs".
GENERATED = "（記録から作成した文章）"
REPORT_FIELDS = ["schedule", "texts", "draft_open"]


def _schedule(old, new) -> list[FieldChange]:
    return [FieldChange("開所日・時間の表記", old or GENERATED, new or GENERATED)]


def _state(old, new) -> list[FieldChange]:
    def label(draft_open):
        return NOTHING if draft_open is None else ("下書き" if draft_open else "確定済み")

    return [FieldChange("状態", label(old), label(new))]


def _texts_differ(report: Report):
    """Changes of the §3/§5 texts, one per row, labelled like the edit form (`3 ▸ group ▸ row`)."""
    labels = {
        (str(section.number), row.key): f"{section.number}. {section.text_heading}：{' ▸ '.join(row.path)}"
        for section in report.sections
        if section.has_text
        for row in section.rows
    }

    def differ(old, new) -> list[FieldChange]:
        old, new = old or {}, new or {}
        changes = []
        for number in sorted(set(old) | set(new), key=int):
            before, after = old.get(number, {}), new.get(number, {})
            for key in sorted(set(before) | set(after), key=lambda key: labels.get((number, key), key)):
                if before.get(key) != after.get(key):
                    label = labels.get((number, key), f"{number}. {key}")
                    changes.append(FieldChange(label, before.get(key) or GENERATED, after.get(key) or GENERATED))
        return changes

    return differ


def report_history(record: QuarterlyReport | None, report: Report, *, limit: int | None) -> History:
    """The report's changes for its office and period, newest first (one query); `report` names the rows."""
    if record is None:
        return History([], 0)
    records = record.history.select_related("history_user")
    differs = {"schedule": _schedule, "texts": _texts_differ(report), "draft_open": _state}
    return history_entries([Tracked(records, REPORT_FIELDS, differs=differs)], limit=limit)
