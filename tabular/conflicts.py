"""What an edit page shows when its save is refused as stale: who saved first, and what differs.

The edit pages of clients, events and providers compare the editor's form with a form of the
object as it is saved now, field by field, with the form's labels and choice labels, so no page
spells out its fields a second time. `templates/includes/conflict.html` shows the result.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.db import models

from .history import NOTHING, FieldChange, show_value


@dataclass(frozen=True)
class Conflict:
    """A refused save: what the other person saved (`changes`: old = theirs, new = the editor's)."""

    what: str  # "この相談対象者の情報": what the other person saved
    changes: list[FieldChange] = field(default_factory=list)
    who: str | None = None
    when: datetime | None = None


def conflict_with(current: models.Model, *, what: str, changes: list[FieldChange]) -> Conflict:
    """The conflict with `current` (a model with simple-history), naming whoever saved it last (one query)."""
    latest = current.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    who = str(latest.history_user) if latest is not None and latest.history_user is not None else None
    return Conflict(what, changes, who, latest.history_date if latest is not None else None)


def form_differences(theirs: forms.BaseForm, mine: forms.BaseForm, *, exclude: Iterable[str] = ()) -> list[FieldChange]:
    """The shown fields where the editor's valid form differs from an unbound form of the saved object.

    In the form's order; a field's choices are read (one query for a model's) only where it differs.
    """
    exclude = set(exclude)
    changes = []
    for name, form_field in mine.fields.items():
        if name in exclude or form_field.widget.is_hidden or name not in theirs.fields:
            continue
        saved = theirs[name].initial
        if not form_field.has_changed(saved, mine[name].data):
            continue
        changes.append(
            FieldChange(
                str(form_field.label or name),
                _shown(form_field, saved),
                _shown(form_field, mine.cleaned_data.get(name)),
            )
        )
    return changes


def _key(value) -> str:
    return str(value.pk if isinstance(value, models.Model) else value)


def _choice_labels(form_field) -> dict[str, str]:
    labels = {}
    for key, label in form_field.choices:
        if isinstance(label, (list, tuple)):  # a group of choices
            labels.update((str(inner_key), str(inner_label)) for inner_key, inner_label in label)
        else:
            labels[str(key)] = str(label)
    return labels


def _shown(form_field, value) -> str:
    if isinstance(form_field, forms.BooleanField):
        return show_value(bool(value))
    if isinstance(form_field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        labels = _choice_labels(form_field)
        return "、".join(labels.get(_key(item), str(item)) for item in value or ()) or NOTHING
    if isinstance(form_field, forms.ChoiceField | forms.ModelChoiceField):
        if value is None or value == "":
            return NOTHING
        return _choice_labels(form_field).get(_key(value), str(value))
    return show_value(value)
