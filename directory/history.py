"""A provider's change history: its fields, its acceptance matrix and its opening hours, who changed what and when."""

from tabular.history import NOTHING, FieldChange, History, Tracked, history_entries, records_together

from .models import (
    PROVIDER_FIELDS,
    Acceptance,
    District,
    MedicalCareProcedure,
    OfficeDistrict,
    Provider,
    ProviderProcedure,
    ProviderSchedule,
)
from .schedules import days_label, split_byday

# The provider's fields as its page and form show them, with who verified it and when.
PROVIDER_SHOWN = [*PROVIDER_FIELDS, "verified_on", "verified_by", "verified_via"]
INTERNAL_NOTE = "internal_note"
CELL_FIELDS = ["status", "note"]
HOURS_FIELDS = ["byday", "opens_at", "closes_at"]


def _days_change(old, new) -> list[FieldChange]:
    def shown(byday):
        return days_label(split_byday(byday or "")) or NOTHING

    return [FieldChange(str(ProviderSchedule._meta.get_field("byday").verbose_name), shown(old), shown(new))]


def _status_change(old, new) -> list[FieldChange]:
    # No row is 未確認: a cell added or removed changes from or to 未確認.
    label = str(ProviderProcedure._meta.get_field("status").verbose_name)
    return [
        FieldChange(label, Acceptance(old or Acceptance.UNKNOWN).label, Acceptance(new or Acceptance.UNKNOWN).label)
    ]


def provider_history(
    provider: Provider, *, procedures: list[MedicalCareProcedure], include_internal_note: bool, limit: int | None
) -> History:
    """The provider's changes and its matrix's, newest first: one query, plus one per kind of name shown.

    Without `include_internal_note` the internal note's changes are left out (a change of nothing
    else is then no entry at all). `procedures` names the matrix's rows (the page has them already).
    """
    fields = [name for name in PROVIDER_SHOWN if include_internal_note or name != INTERNAL_NOTE]
    provider_records, cell_records, hours_records = records_together(
        [
            (provider.history.all(), fields),
            (ProviderProcedure.history.filter(provider_id=provider.pk), ["procedure", *CELL_FIELDS]),
            (ProviderSchedule.history.filter(provider_id=provider.pk), HOURS_FIELDS),
        ]
    )
    names = {procedure.pk: procedure.name for procedure in procedures}
    by_procedure: dict[int, list] = {}
    for record in cell_records:
        by_procedure.setdefault(record.procedure_id, []).append(record)
    cell_label = ProviderProcedure._meta.verbose_name
    tracked = [Tracked(provider_records, fields)]
    tracked += [
        Tracked(
            records,
            CELL_FIELDS,
            subject=f"{cell_label}：{names.get(procedure_id, '（削除された項目）')}",
            differs={"status": _status_change},
        )
        for procedure_id, records in by_procedure.items()
    ]
    # A save replaces the opening-hour rows: each old row is listed as removed, each new one as added.
    by_row: dict[int, list] = {}
    for record in hours_records:
        by_row.setdefault(record.id, []).append(record)
    tracked += [
        Tracked(
            records, HOURS_FIELDS, subject=str(ProviderSchedule._meta.verbose_name), differs={"byday": _days_change}
        )
        for records in by_row.values()
    ]
    return history_entries(tracked, limit=limit)


def office_district_history(office, *, limit: int | None) -> History:
    """The office's districts added, moved and removed, newest first (two queries, plus the names)."""
    records = list(OfficeDistrict.history.filter(office_id=office.pk).select_related("history_user"))
    names = dict(District.objects.filter(pk__in={r.district_id for r in records}).values_list("pk", "name"))
    by_link: dict[int, list] = {}
    for record in records:
        by_link.setdefault(record.id, []).append(record)
    tracked = [
        Tracked(rows, ["district", "position"], subject=f"地区：{names.get(rows[0].district_id, '（削除された地区）')}")
        for rows in by_link.values()
    ]
    return history_entries(tracked, limit=limit)
