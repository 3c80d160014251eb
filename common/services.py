"""The one helper create and update services save a model's own fields with, and the optimistic lock of edits."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

M = TypeVar("M", bound=models.Model)


EDIT_CONFLICT = (
    "ほかの人が先に保存しました。あなたの入力はまだ保存されていません。"
    "下の「ほかの人が保存した内容」を確かめてから、もう一度保存してください。"
)


class EditConflict(ValidationError):
    """The object changed since the editor read it; `current` is what is saved now."""

    message = EDIT_CONFLICT

    def __init__(self, current: models.Model):
        super().__init__(self.message, code="conflict")
        self.current = current


def lock_for_edit(
    model: type[M], *, pk: int, expected_version: int | None, conflict: type[EditConflict] = EditConflict
) -> M:
    """The row as saved now, locked until the transaction ends; `conflict` if its version is not the expected one.

    Call inside the service's transaction and save the row with `version + 1`. The row lock
    (PostgreSQL) or the immediate write transaction (SQLite) keeps a second editor waiting here
    until the first has saved, so the version compared is the latest. An import, which reads and
    writes in one transaction, passes None: it has nothing stale to compare.
    """
    current = model._default_manager.select_for_update().get(pk=pk)
    if expected_version is not None and current.version != expected_version:
        raise conflict(current)
    return current


def changed_fields(instance: models.Model, *, fields: Iterable[str], data: Mapping[str, Any]) -> list[str]:
    """The `fields` whose value in `data` differs from the instance's (no query); TypeError for a name not in `fields`."""
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
        new = value.pk if field.is_relation and isinstance(value, models.Model) else value
        if getattr(instance, field.attname) != new:
            changed.append(name)
    return changed


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
    changed = changed_fields(instance, fields=fields, data=data)
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])

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
