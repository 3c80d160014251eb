"""Form fields every area of coordination uses."""

from datetime import date
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone

from directory.widgets import LongSelect
from tabular.dates import FORMATS_HINT, parse_date, refuse_future


def chosen_pk(value) -> int | None:
    """A picker's submitted or initial value as a primary key, or None (empty, "none", junk)."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


# How many candidates an ambiguous typed name lists in its error.
CANDIDATES_SHOWN = 5


def the_one_typed(found: list, exact: list, *, label, nothing: str, several: str):
    """The one entry a name typed into a picker without JavaScript names: an exact match wins over
    partial ones. `found` holds up to CANDIDATES_SHOWN + 1 matches. None, or several, raise a
    ValidationError: `nothing`, or `several` with `{names}` replaced by the candidates' labels."""
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(nothing)
    names = "、".join(label(entry) for entry in found[:CANDIDATES_SHOWN])
    raise ValidationError(several.format(names=names + ("ほか" if len(found) > CANDIDATES_SHOWN else "")))


class JapaneseDateField(forms.CharField):
    """A date typed as `2025/4/1`, `2025-04-01`, `R7.4.1` or `令和7年4月1日` (full-width too)."""

    default_error_messages = {"required": "日付を入力してください。"}

    def __init__(self, *, not_future: bool = False, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", f"例：{FORMATS_HINT}")
        super().__init__(**kwargs)
        self.not_future = not_future

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # Plain text: `R7.4.1` and `令和` need letters, which a numeric keyboard lacks.
        attrs.update({"inputmode": "text", "autocomplete": "off", "spellcheck": "false", "data-date-input": ""})
        return attrs

    def prepare_value(self, value):
        if isinstance(value, date):
            return f"{value.year}/{value.month}/{value.day}"
        return value

    def to_python(self, value) -> date | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        self.run_validators(text)
        return parse_date(text)

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if value is not None and self.not_future:
            refuse_future(value, timezone.localdate())

    def run_validators(self, value):
        # The length validators apply to the typed text, not to the date it becomes.
        if isinstance(value, str):
            super().run_validators(value)

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial if isinstance(initial, date) else self.to_python(initial))
        except ValidationError:
            return True


class _ListedChoices(ModelChoiceIterator):
    """A model choice field's choices read by one ordinary query, not by QuerySet.iterator().

    Django iterates a ModelChoiceField's queryset with iterator(), which on PostgreSQL is a
    server-side cursor (DECLARE, FETCH, CLOSE: three round trips, WITH HOLD outside a transaction) —
    for lists of a few dozen rows (procedures, an office's coordinators, categories). Same choices.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


@cache
def _listed(iterator_class: type) -> type:
    """The iterator class reading its queryset as _ListedChoices does (django-filter's adds a null choice)."""
    if iterator_class is ModelChoiceIterator:
        return _ListedChoices
    return type(f"Listed{iterator_class.__name__}", (iterator_class, _ListedChoices), {})


def with_long_selects(form):
    """The form with each plain <select> written in Python (directory.widgets.LongSelect): the same markup,
    without a template per option. Django renders every option of a select through two small templates; the
    log list's filters and the log and client forms hold hundreds of options, most of their pages' time.
    Model choices are read with one plain query (_ListedChoices), not a server-side cursor.

    Each form holds its own copies of its fields and widgets, so changing them touches no other form.
    """
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget.__class__ = LongSelect
        if isinstance(field, forms.ModelChoiceField) and issubclass(field.iterator, ModelChoiceIterator):
            field.iterator = _listed(field.iterator)
            field.widget.choices = field.choices
    return form
