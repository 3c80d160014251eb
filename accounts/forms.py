"""The two-factor sign-in form."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError


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
