"""A contact log's change history, its activity types and counterparts folded into each record; the differences a stale edit shows."""

from collections import defaultdict

from accounts.models import User
from coordination.clients.models import Client
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart, SupportKind
from directory.models import CounterpartCategory, Provider
from tabular.history import (
    ACTIONS,
    NO_VISIBLE_CHANGE,
    NOT_RECORDED_BEFORE,
    FieldChange,
    HistoryEntry,
    show_value,
)

ACTIVITY_TYPES = "activity_types"


COUNTERPARTS = "counterparts"


# The fields a person edits, in the form's order; keys are snapshot keys.
_FIELDS = [
    ("occurred_on", "occurred_on"),
    ("started_at", "started_at"),
    ("duration_minutes", "duration_minutes"),
    ("coordinator_id", "coordinator"),
    ("client_id", "client"),
    ("support_kind", "support_kind"),
    ("method_id", "method"),
    (ACTIVITY_TYPES, "activity_types"),
    (COUNTERPARTS, None),
    ("report_summary", "report_summary"),
    ("include_in_report", "include_in_report"),
    ("confidential_notes", "confidential_notes"),
]


def _label(key: str, model_field: str | None) -> str:
    if model_field is None:
        return str(Counterpart._meta.verbose_name)
    return str(ContactLog._meta.get_field(model_field).verbose_name)


# A counterpart as a snapshot holds it: (category id, provider id, organization name).
CounterpartKey = tuple[int, int | None, str]


def snapshot_of_log(log: ContactLog) -> dict:
    """The log's current values (its activity types and counterparts should be prefetched)."""
    snapshot = {key: getattr(log, key) for key, _ in _FIELDS if key not in (ACTIVITY_TYPES, COUNTERPARTS)}
    snapshot[ACTIVITY_TYPES] = frozenset(t.pk for t in log.activity_types.all())
    snapshot[COUNTERPARTS] = tuple(
        sorted((c.category_id, c.provider_id, c.organization_name) for c in log.counterparts.all())
    )
    return snapshot


def snapshot_of_entry(*, log: ContactLog, fields: dict, counterparts) -> dict:
    """What an editor typed (cleaned form values and CounterpartEntry rows), over the log they edit."""
    snapshot = snapshot_of_log(log)
    for key, _ in _FIELDS:
        name = key.removesuffix("_id")
        if key == ACTIVITY_TYPES:
            snapshot[key] = frozenset(t.pk for t in fields[name])
        elif key == COUNTERPARTS:
            snapshot[key] = tuple(sorted(entry.key for entry in counterparts))
        elif key == "support_kind":
            # Left unchosen, the services give the client's default.
            snapshot[key] = fields.get(key) or SupportKind.default_for(fields.get("client", log.client_id))
        elif name in fields:
            value = fields[name]
            snapshot[key] = value.pk if key.endswith("_id") and value is not None else value
    return snapshot


class _Labels:
    """Labels for the ids found in some snapshots: one query per kind of id actually shown."""

    def __init__(self, snapshots: list[dict]):
        ids = defaultdict(set)
        for snapshot in snapshots:
            for key in ("coordinator_id", "client_id", "method_id"):
                if snapshot.get(key) is not None:
                    ids[key].add(snapshot[key])
            ids[ACTIVITY_TYPES].update(snapshot.get(ACTIVITY_TYPES, ()))
            for category_id, provider_id, _ in snapshot.get(COUNTERPARTS, ()):
                ids["category"].add(category_id)
                if provider_id:
                    ids["provider"].add(provider_id)
        self.users = (
            {u.pk: str(u) for u in User.objects.filter(pk__in=ids["coordinator_id"])} if ids["coordinator_id"] else {}
        )
        self.clients = (
            {c.pk: c.name for c in Client.objects.filter(pk__in=ids["client_id"])} if ids["client_id"] else {}
        )
        self.methods = self._tree(ContactMethod, ids["method_id"])
        self.activity_types = self._tree(ActivityType, ids[ACTIVITY_TYPES])
        self.categories = self._tree(CounterpartCategory, ids["category"])
        self.providers = (
            {p.pk: p.name for p in Provider.objects.filter(pk__in=ids["provider"])} if ids["provider"] else {}
        )

    @staticmethod
    def _tree(model, ids) -> dict[int, tuple[int, str]]:
        """id → (position, `group ▸ leaf`); the trees are at most three levels deep."""
        if not ids:
            return {}
        labels = {}
        for node in model.objects.filter(pk__in=ids).select_related("parent__parent"):
            path, current = [], node
            while current is not None:
                path.append(current.label)
                current = current.parent
            labels[node.pk] = (node.position, " ▸ ".join(reversed(path)))
        return labels

    def show(self, key: str, value) -> str:
        if key == ACTIVITY_TYPES:
            found = sorted(self.activity_types.get(pk, (0, "（削除された種別）")) for pk in value)
            return "、".join(label for _, label in found) or "（なし）"
        if key == COUNTERPARTS:
            return "、".join(self._counterpart(row) for row in value) or "（なし）"
        if key == "client_id":
            return self.clients.get(value, "（不明）") if value is not None else "（対象者なし）"
        if value is None or value == "":
            return "（なし）"
        if key == "coordinator_id":
            return self.users.get(value, "（不明）")
        if key == "method_id":
            return self.methods.get(value, (0, "（不明）"))[1]
        if key == "duration_minutes":
            return f"{value}分"
        if key == "support_kind":
            return SupportKind(value).label if value in SupportKind.values else str(value)
        return show_value(value)

    def _counterpart(self, row: CounterpartKey) -> str:
        category_id, provider_id, organization = row
        category = self.categories.get(category_id, (0, "（不明な区分）"))[1]
        name = self.providers.get(provider_id, "（不明）") if provider_id else organization
        return f"{category}（{name}）" if name else category


def _changes(old: dict, new: dict, labels: _Labels) -> list[FieldChange]:
    return [
        FieldChange(_label(key, model_field), labels.show(key, old[key]), labels.show(key, new[key]))
        for key, model_field in _FIELDS
        if old.get(key) != new.get(key)
    ]


def differences(theirs: dict, mine: dict) -> list[FieldChange]:
    """The fields where two snapshots differ, labelled (old = theirs, new = mine)."""
    return _changes(theirs, mine, _Labels([theirs, mine]))


def contact_log_history(log: ContactLog) -> list[HistoryEntry]:
    """The log's changes, newest first (three queries, plus one per kind of value that changed)."""
    records = list(log.history.select_related("history_user").order_by("history_date", "history_id"))
    if not records:
        return []
    activity_rows = _activity_type_history_model().objects.filter(history__in=[r.pk for r in records])
    types_by_record = defaultdict(set)
    for history_id, type_id in activity_rows.values_list("history_id", "activitytype_id"):
        types_by_record[history_id].add(type_id)
    counterpart_rows = list(
        Counterpart.history.filter(contact_log_id=log.pk)
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "history_type", "category_id", "provider_id", "organization_name")
    )

    snapshots, state, position = [], {}, 0
    for record in records:
        # Counterparts as they stood when this record was written (same transaction, same time).
        while position < len(counterpart_rows) and counterpart_rows[position][1] <= record.history_date:
            counterpart_id, _, kind, category_id, provider_id, organization = counterpart_rows[position]
            if kind == "-":
                state.pop(counterpart_id, None)
            else:
                state[counterpart_id] = (category_id, provider_id, organization)
            position += 1
        snapshot = {key: getattr(record, key) for key, _ in _FIELDS if key not in (ACTIVITY_TYPES, COUNTERPARTS)}
        snapshot[ACTIVITY_TYPES] = frozenset(types_by_record[record.pk])
        snapshot[COUNTERPARTS] = tuple(sorted(state.values()))
        snapshots.append(snapshot)

    labels = _Labels(_shown_snapshots(records, snapshots))
    entries = []
    for index, record in enumerate(records):
        who = str(record.history_user) if record.history_user else "（不明）"
        action = ACTIONS.get(record.history_type, record.history_type)
        if record.history_type == "~" and index > 0:
            changes = _changes(snapshots[index - 1], snapshots[index], labels)
            entries.append(
                HistoryEntry(record.history_date, who, action, changes, "" if changes else NO_VISIBLE_CHANGE)
            )
        elif record.history_type == "~":
            entries.append(HistoryEntry(record.history_date, who, action, note=NOT_RECORDED_BEFORE))
        else:
            entries.append(HistoryEntry(record.history_date, who, action))
    return entries[::-1]


def _shown_snapshots(records, snapshots) -> list[dict]:
    """Only the values a change shows need a label: the two sides of every changed field."""
    shown = []
    for index in range(1, len(records)):
        if records[index].history_type == "~":
            old, new = snapshots[index - 1], snapshots[index]
            shown.append({key: old[key] for key in old if old[key] != new[key]})
            shown.append({key: new[key] for key in new if old[key] != new[key]})
    return shown


def _activity_type_history_model():
    """django-simple-history's table of the activity types each history record had."""
    return ContactLog.history.model.activity_types.model
