"""Text encrypted at rest: a TextField whose column holds a Fernet token, never the text.

Fernet (pyca/cryptography) is AES-128-CBC with a random IV, authenticated by HMAC-SHA256; a token
names no key. The keys are settings.TSUNAGU_FIELD_KEYS, from the environment variable of that name
(config/settings.py): the first encrypts, every one of them decrypts. Rotating is putting a new key
first, running `manage.py rotate_field_keys` (every value re-encrypted under it), then dropping the
old key.

Why not django-fernet-encrypted-fields, which does the same in outline: it derives its keys from
SECRET_KEY (changing the session-signing key would make the notes unreadable), it hands back the
token as if it were the text when no key fits (a wrong key would show garbage, and a save would
store it), and it writes an empty text as NULL into our NOT NULL columns.

What the database can still tell: whether a value is empty ("" is stored as ""), and roughly how
long it is. It cannot search or sort these columns; lookups other than `field=""` are refused
rather than silently finding nothing.
"""

import base64
import binascii
from collections.abc import Callable
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import migrations, models
from django.db.models import Case, ExpressionWrapper, F, Value, When
from django.db.models.lookups import Exact, IsNull

KEYS_ENV = "TSUNAGU_FIELD_KEYS"


class FieldKeyError(Exception):
    """A stored value that no key in TSUNAGU_FIELD_KEYS decrypts: the wrong keys, or a damaged value."""


def parse_field_key(text: str) -> bytes:
    """A Fernet key from 32 random bytes in base64, standard (`openssl rand -base64 32`) or URL-safe."""
    cleaned = text.strip().replace("+", "-").replace("/", "_")
    try:
        raw = base64.urlsafe_b64decode(cleaned.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"{KEYS_ENV}: each key must be 32 random bytes in base64 (make one with `openssl rand -base64 32`)."
        )
    return base64.urlsafe_b64encode(raw)


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(parse_field_key(key)) for key in keys])


def fernet() -> MultiFernet:
    """The keys in force; looked up on every use, so a test (or a rotation) may change the setting."""
    keys = tuple(settings.TSUNAGU_FIELD_KEYS)
    if not keys:
        raise ImproperlyConfigured(f"{KEYS_ENV} is empty.")
    return _fernet(keys)


def encrypt_text(text: str) -> str:
    """A Fernet token for `text` under the first key; "" stays "" (an empty note is no secret)."""
    if not text:
        return text
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_text(token: str, *, label: str = "") -> str:
    """The text of a token under any of the keys; FieldKeyError when none fits."""
    if not token:
        return token
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as error:
        where = f"（{label}）" if label else ""
        raise FieldKeyError(
            f"暗号化された項目{where}を復号できません。環境変数 {KEYS_ENV} に、"
            "この値を暗号化した鍵がありません（鍵の取り違え、またはローテーションで古い鍵を早く外しすぎた）。"
        ) from error


class EncryptedTextField(models.TextField):
    """A TextField stored as a Fernet token: the model and forms see the text, the column never does."""

    description = "Text (encrypted at rest)"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt_text(value)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt_text(value, label=f"{self.model._meta.label}.{self.name}")

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted: the database cannot compare or search it "
            f'(`__{lookup_name}`). Only `{self.name}=""` (empty or not) works.'
        )


class EmptyOnlyExact(Exact):
    """`field=""` finds the empty values; a token is new each time, so any other text would never match."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError(
                f'{self.lhs.target.model._meta.label}.{self.lhs.target.name} is encrypted: only `=""` works.'
            )
        return super().get_prep_lookup()


def encrypted_fields(models_iterable) -> list[tuple[type[models.Model], list[str]]]:
    """Each model with encrypted fields, and their names (the historical copies are models too)."""
    found = []
    for model in models_iterable:
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names and not model._meta.proxy:
            found.append((model, names))
    return found


def rotate_token(token: str, *, label: str = "") -> str:
    """The token re-encrypted under the first key (MultiFernet.rotate); FieldKeyError when no key fits."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise FieldKeyError(
            f"暗号化された項目（{label}）の値を、環境変数 {KEYS_ENV} のどの鍵でも復号できません。"
        ) from error


def rewrite_column(
    model: type[models.Model],
    name: str,
    transform: Callable[[str], str],
    *,
    using: str = "default",
    chunk_size: int = 500,
) -> int:
    """Replace every non-empty stored value of `model.name` with `transform(value)`; the number of values.

    Reads and writes the column as plain text, whatever the field's class (a migration's frozen
    TextField or EncryptedTextField), so it serves the migration that encrypts the existing rows and
    the key rotation alike. Goes by primary key, `chunk_size` rows at a time (one SELECT and one
    UPDATE … CASE per chunk), so a large history table is never held in memory. The caller decides
    the transaction.
    """
    manager = model._base_manager.db_manager(using)
    stored = ExpressionWrapper(F(name), output_field=models.TextField())
    rows = manager.annotate(stored_text=stored).exclude(stored_text="").order_by("pk")
    count, last = 0, None
    while True:
        chunk = list((rows if last is None else rows.filter(pk__gt=last)).values_list("pk", "stored_text")[:chunk_size])
        if not chunk:
            return count
        new_values = Case(
            *(When(pk=pk, then=Value(transform(value), output_field=models.TextField())) for pk, value in chunk),
            output_field=models.TextField(),
        )
        manager.filter(pk__in=[pk for pk, _ in chunk]).update(**{name: new_values})
        count += len(chunk)
        last = chunk[-1][0]


def encrypt_existing(app_label: str, columns: dict[str, str]) -> migrations.RunPython:
    """A migration operation that encrypts the stored texts of `columns` ({model name: field name}),
    and decrypts them when the migration is reversed. Placed before the AlterFields that make the
    fields encrypted (it reads and writes the raw column, whatever the field's class)."""

    def rewrite(apps, schema_editor, transform):
        for model_name, field_name in columns.items():
            model = apps.get_model(app_label, model_name)
            rewrite_column(model, field_name, transform, using=schema_editor.connection.alias)

    def forwards(apps, schema_editor):
        rewrite(apps, schema_editor, encrypt_text)

    def backwards(apps, schema_editor):
        rewrite(apps, schema_editor, decrypt_text)

    return migrations.RunPython(forwards, backwards, elidable=False)
