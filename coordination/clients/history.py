"""A client's change history, with its procedures and its guardians'."""

from collections import defaultdict

from coordination.clients.models import CLIENT_FIELDS, Client, Guardian
from tabular.history import (
    NOTHING,
    FieldChange,
    History,
    RecordedWith,
    Tracked,
    history_entries,
    records_together,
)

# A client record's procedures (simple-history records them with it) as client_history puts them
# on the record: their labels in the procedures' display order.
PROCEDURES = "procedure_labels"


_AFTER_CARE = CLIENT_FIELDS.index("has_medical_care") + 1  # as on the form: after 医療的ケアあり


CLIENT_SHOWN = [*CLIENT_FIELDS[:_AFTER_CARE], PROCEDURES, *CLIENT_FIELDS[_AFTER_CARE:]]


GUARDIAN_FIELDS = ["name", "relationship", "phone", "email", "is_primary"]


def _procedure_history_model():
    """django-simple-history's table of the procedures each client history record had."""
    return Client.history.model.procedures.model


def _guardian(record) -> str:
    return f"{Guardian._meta.verbose_name}：{record.name}（{record.relationship}）"


def _procedures_change(old: tuple[str, ...], new: tuple[str, ...]) -> list[FieldChange]:
    label = str(Client._meta.get_field("procedures").verbose_name)
    return [FieldChange(label, "、".join(old) or NOTHING, "、".join(new) or NOTHING)]


def client_history(client: Client, *, limit: int | None) -> History:
    """The client's changes (with their procedures) and its guardians' (added, changed, removed), newest first.

    One query for all (the client page is at its query budget), plus one per kind of name shown.
    """
    records, guardian_records, procedure_rows = records_together(
        [
            (client.history.all(), list(CLIENT_FIELDS)),
            (Guardian.history.filter(client_id=client.pk), GUARDIAN_FIELDS),
            RecordedWith(
                _procedure_history_model().objects.filter(client_id=client.pk),
                ["medicalcareprocedure__position", "medicalcareprocedure__name"],
            ),
        ]
    )
    for record in records:
        setattr(record, PROCEDURES, tuple(name for _, name in sorted(procedure_rows.get(record.history_id, ()))))
    by_guardian = defaultdict(list)
    for record in guardian_records:
        by_guardian[record.id].append(record)
    tracked = [Tracked(records, CLIENT_SHOWN, differs={PROCEDURES: _procedures_change})]
    tracked += [
        Tracked(guardian_records, GUARDIAN_FIELDS, subject=_guardian) for guardian_records in by_guardian.values()
    ]
    return history_entries(tracked, limit=limit)
