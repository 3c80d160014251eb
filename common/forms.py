"""Showing a service's ValidationError on the form (and formsets) it came from."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, *, formsets: Mapping[str, forms.BaseFormSet] | None = None
) -> None:
    """Each message under its field, a formset's name (its list's errors) or, else, the form's top."""
    formsets = formsets or {}
    by_name = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    for name, messages in by_name.items():
        if name in formsets:
            formsets[name].non_form_errors().extend(messages)
        elif name in form.fields and name != NON_FIELD_ERRORS:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)
