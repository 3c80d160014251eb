"""Change history as people read it: who, when, and each field's old → new value.

Reads the records of django-simple-history for any model. Consecutive records of one object are
compared field by field; values are shown with the field's verbose name and choice labels, and the
names behind foreign keys are looked up once per related model for all the entries shown, so the
number of queries does not grow with the number of changes. `templates/includes/history.html`
shows the entries on every object page.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone

from .wareki import format_date

ACTIONS = {"+": "作成", "~": "変更", "-": "削除"}
# A part of an object (a guardian of a client, a cell of a provider's matrix) is added and removed.
PART_ACTIONS = {"+": "追加", "~": "変更", "-": "削除"}
NOTHING = "（なし）"
NOT_RECORDED_BEFORE = "これより前の内容は記録されていません。"
NO_VISIBLE_CHANGE = "項目の変更はありません。"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)
    note: str = ""
    # What part of the object changed ("保護者・家族：…"); "" for the object itself.
    subject: str = ""
    # Why it was saved, when the service said (simple-history's change reason).
    reason: str = ""


def show_value(value) -> str:
    """A plain value as the pages show it: dates in Japanese, はい/いいえ, （なし） for blanks."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{format_date(local.date())} {local:%H:%M}"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, time):
        return f"{value.hour}:{value.minute:02d}"
    return str(value)


# A custom way to show one field: (old value, new value) → the changes to list (maybe several,
# e.g. one per edited text of a JSON field). Raw values: ids for foreign keys.
Differ = Callable[[Any, Any], list[FieldChange]]


@dataclass(frozen=True)
class Tracked:
    """One object's history records and how to read them."""

    records: Sequence  # the object's historical records (any order), history_user selected
    fields: Sequence[str]  # the fields people may see, in the page's order
    # The part of the object these records are about ("" for the object itself); a part's
    # creation and deletion list its values.
    subject: Callable[[Any], str] | str = ""
    differs: Mapping[str, Differ] = field(default_factory=dict)


@dataclass
class _Raw:
    record: Any
    tracked: Tracked
    changes: list[tuple[str, Any, Any]]  # (field name, old, new); field name may have a differ
    note: str = ""


def _value(record, name: str):
    """A field's raw value (ids for foreign keys); a name that is no field is an attribute set on
    the record, e.g. the labels of an m2m field read with `RecordedWith`."""
    try:
        model_field = record._meta.get_field(name)
    except FieldDoesNotExist:
        return getattr(record, name)
    return getattr(record, model_field.attname)


def _filled(record, tracked: Tracked) -> list[tuple[str, Any]]:
    """A part's fields that hold something (an unticked box is nothing to list)."""
    values = [(name, _value(record, name)) for name in tracked.fields]
    return [(name, value) for name, value in values if value is not None and value != "" and value is not False]


def _raw_entries(tracked: Tracked) -> list[_Raw]:
    records = sorted(tracked.records, key=lambda r: (r.history_date, r.pk))
    raws, previous = [], None
    for record in records:
        is_part = bool(tracked.subject)
        if record.history_type == "~":
            if previous is None:
                raws.append(_Raw(record, tracked, [], NOT_RECORDED_BEFORE))
            else:
                changes = [
                    (name, _value(previous, name), _value(record, name))
                    for name in tracked.fields
                    if _value(previous, name) != _value(record, name)
                ]
                # A save that changed nothing a reader may see is not worth an entry, unless the
                # service said why (e.g. a user's role or authenticator, which are no fields).
                if changes or getattr(record, "history_change_reason", None):
                    raws.append(_Raw(record, tracked, changes))
        elif record.history_type == "+" and is_part:
            raws.append(_Raw(record, tracked, [(name, None, value) for name, value in _filled(record, tracked)]))
        elif record.history_type == "-" and is_part:
            raws.append(_Raw(record, tracked, [(name, value, None) for name, value in _filled(record, tracked)]))
        else:
            raws.append(_Raw(record, tracked, []))
        previous = record
    return raws


class _Names:
    """The names behind the foreign-key ids of some entries: one query per related model."""

    def __init__(self, raws: Iterable[_Raw]):
        ids = defaultdict(set)
        for raw in raws:
            for name, old, new in raw.changes:
                if name in raw.tracked.differs:
                    continue
                model_field = raw.record._meta.get_field(name)
                if model_field.is_relation:
                    ids[model_field.related_model].update(v for v in (old, new) if v is not None)
        self.names = {
            model: {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=pks)} for model, pks in ids.items()
        }

    def show(self, model_field, value) -> str:
        if value is None or value == "":
            return NOTHING
        if model_field.is_relation:
            return self.names.get(model_field.related_model, {}).get(value, "（削除済み）")
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        return show_value(value)


def _entry(raw: _Raw, names: _Names) -> HistoryEntry:
    record, tracked = raw.record, raw.tracked
    changes = []
    for name, old, new in raw.changes:
        if name in tracked.differs:
            changes.extend(tracked.differs[name](old, new))
            continue
        model_field = record._meta.get_field(name)
        changes.append(
            FieldChange(str(model_field.verbose_name), names.show(model_field, old), names.show(model_field, new))
        )
    subject = tracked.subject(record) if callable(tracked.subject) else tracked.subject
    who = str(record.history_user) if record.history_user_id else "（不明）"
    reason = getattr(record, "history_change_reason", None) or ""
    note = raw.note or ("" if changes or reason or record.history_type != "~" else NO_VISIBLE_CHANGE)
    actions = PART_ACTIONS if subject else ACTIONS
    return HistoryEntry(
        record.history_date,
        who,
        actions.get(record.history_type, record.history_type),
        changes,
        note,
        subject,
        reason,
    )


@dataclass(frozen=True)
class History:
    """The entries to show, newest first, and how many there are in all."""

    entries: list[HistoryEntry]
    total: int

    @property
    def is_cut(self) -> bool:
        return self.total > len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def __len__(self):
        return len(self.entries)

    def __getitem__(self, index):
        return self.entries[index]


_COMMON = ("history_id", "history_date", "history_type", "history_change_reason", "history_user_id", "id")
_USER = ("history_user__username", "history_user__first_name", "history_user__last_name")


@cache
def _null_type(field_class: type) -> models.Field:
    """One unbound field of the class, for typing NULLs (a page's UNION casts dozens; making a field is not free)."""
    return field_class()


def _null_like(model_field) -> Cast:
    # Typed: with three parts or more, PostgreSQL would take two untyped NULLs for text.
    output = _null_type(models.BigIntegerField if model_field.is_relation else model_field.__class__)
    return Cast(models.Value(None), output_field=output)


@dataclass(frozen=True)
class RecordedWith:
    """A part of `records_together`: the rows simple-history kept of an m2m field with each record
    (`HistoricalRecords(m2m_fields=…)`), e.g. a client's procedures. `columns` are read through the
    row's relations ("medicalcareprocedure__name"), so labels need no query of their own."""

    queryset: models.QuerySet  # of the m2m field's history model
    columns: Sequence[str]


def _field_at(model, path: str):
    """The model field a values() path ends at ("medicalcareprocedure__name" → the procedure's name)."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)


def _column(model_field, path: str) -> str:
    return model_field.attname if "__" not in path else path


def records_together(parts: Sequence[tuple[models.QuerySet, Sequence[str]] | RecordedWith]) -> list:
    """The records of several history querysets in one query (UNION ALL), each part's in a list.

    A record comes back as an unsaved history instance holding its part's fields and the history
    columns, with `history_user` in place, which is all `Tracked` reads. Used where a page shows an
    object with its parts and must keep its number of queries (e.g. a client and its guardians).
    A `RecordedWith` part comes back as a dict: history_id of the record → its rows' column values.
    """
    parts = [part if isinstance(part, RecordedWith) else tuple(part) for part in parts]
    querysets = [part.queryset if isinstance(part, RecordedWith) else part[0] for part in parts]
    paths = [list(part.columns) if isinstance(part, RecordedWith) else list(part[1]) for part in parts]
    layout = [[_field_at(queryset.model, path) for path in names] for queryset, names in zip(querysets, paths)]
    combined = None
    for index, queryset in enumerate(querysets):
        # Every column is an expression, so each part selects them in the same order.
        if isinstance(parts[index], RecordedWith):
            # Only which record a row belongs to: the record's own part has the rest.
            records_model = queryset.model._meta.get_field("history").related_model
            columns = {f"c_{name}": _null_like(_field_at(records_model, name)) for name in (*_COMMON, *_USER)}
            columns["c_history_id"] = models.F("history_id")
        else:
            columns = {f"c_{name}": models.F(name) for name in (*_COMMON, *_USER)}
        columns["c_part"] = models.Value(index, output_field=models.IntegerField())
        for other, fields in enumerate(layout):
            for position, model_field in enumerate(fields):
                own = other == index
                columns[f"c_{other}_{position}"] = (
                    models.F(_column(model_field, paths[other][position])) if own else _null_like(model_field)
                )
        selected = queryset.order_by().values(**columns)
        combined = selected if combined is None else combined.union(selected, all=True)
    user_model = get_user_model()
    records = [defaultdict(list) if isinstance(part, RecordedWith) else [] for part in parts]
    for row in combined if combined is not None else ():
        index = row["c_part"]
        if isinstance(parts[index], RecordedWith):
            values = tuple(row[f"c_{index}_{position}"] for position in range(len(layout[index])))
            records[index][row["c_history_id"]].append(values)
            continue
        model, fields = querysets[index].model, layout[index]
        record = model(
            **{name: row[f"c_{name}"] for name in _COMMON},
            **{model_field.attname: row[f"c_{index}_{position}"] for position, model_field in enumerate(fields)},
        )
        user_id = row["c_history_user_id"]
        record.history_user = (
            user_model(
                pk=user_id,
                username=row["c_history_user__username"],
                first_name=row["c_history_user__first_name"],
                last_name=row["c_history_user__last_name"],
            )
            if user_id
            else None
        )
        records[index].append(record)
    return records


def history_entries(tracked: Iterable[Tracked], *, limit: int | None = None) -> History:
    """The changes of an object and its parts, newest first; only the latest `limit` get labelled."""
    tracked = list(tracked)
    raws = [raw for one in tracked for raw in _raw_entries(one)]
    # Parts recorded at the object's own creation (e.g. a baseline written in bulk) are that creation.
    created = [r.history_date for one in tracked if not one.subject for r in one.records if r.history_type == "+"]
    if created:
        born = min(created)
        raws = [
            raw
            for raw in raws
            if not (raw.tracked.subject and raw.record.history_type == "+" and raw.record.history_date <= born)
        ]
    raws.sort(key=lambda raw: raw.record.history_date, reverse=True)
    shown = raws if limit is None else raws[:limit]
    names = _Names(shown)
    return History([_entry(raw, names) for raw in shown], len(raws))


# An object page lists this many of the latest changes, with a link to all of them.
LATEST = 20
SHOW_ALL = "all"


def limit_for(request) -> int | None:
    """None (every entry) when the page was asked for `?history=all`, else LATEST."""
    return None if request.GET.get("history") == SHOW_ALL else LATEST
