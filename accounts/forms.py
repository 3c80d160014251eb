"""The sign-in forms: name and password, then the two-factor code."""

import re
import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a user name longer than any user's before anyone looks it up.

    Django sets only the input's `maxlength`, so a longer name reached `authenticate()`, and
    django-axes then wrote it to its 255-character column: a 500 on PostgreSQL.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class OneTimeCodeForm(forms.Form):
    """The 6-digit code shown by the authenticator app; full-width digits and spaces are accepted."""

    code = forms.CharField(
        label="確認コード（6桁）",
        max_length=20,
        error_messages={"required": "認証アプリに表示されている6桁の確認コードを入力してください。"},
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", unicodedata.normalize("NFKC", self.cleaned_data["code"]))
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError("確認コードは6桁の数字で入力してください。")
        return code
