"""The one helper create and update services save a model's own fields with."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

M = TypeVar("M", bound=models.Model)


def model_update(
    *,
    instance: M,
    fields: Iterable[str],
    data: Mapping[str, Any],
    validate: Callable[[M], None] | None = None,
) -> tuple[M, bool]:
    """Set the `fields` present in `data`, validate, save what changed; returns (instance, has_updated).

    An instance not yet in the database is saved whole (has_updated is then True). `validate` checks
    the caller's own rules after full_clean(): the errors of both come in one ValidationError, and
    nothing is saved when there is one. Many-to-many fields are the caller's to set after saving.
    """
    fields = tuple(fields)
    unknown = sorted(set(data) - set(fields))
    if unknown:
        # A misspelt name would otherwise be dropped without a word.
        raise TypeError(f"{type(instance).__name__} does not take {', '.join(unknown)}")
    changed = []
    for name in fields:
        if name not in data:
            continue
        field, value = instance._meta.get_field(name), data[name]
        # Foreign keys compare by id: reading the related object could cost a query.
        current = getattr(instance, field.attname)
        new = value.pk if field.is_relation and isinstance(value, models.Model) else value
        if current != new:
            changed.append(name)
        setattr(instance, name, value)

    errors: dict = {}
    try:
        instance.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if validate is not None:
        try:
            validate(instance)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)

    if instance._state.adding:
        instance.save()
        return instance, True
    if not changed:
        return instance, False
    # update_fields leaves out auto_now columns unless they are named.
    auto_now = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
    instance.save(update_fields=[*changed, *auto_now])
    return instance, True
