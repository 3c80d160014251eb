from django import forms

from .models import Action


class AccessEventFilterForm(forms.Form):
    username = forms.CharField(label="ユーザー名", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "すべて"), *Action.choices])
    target = forms.CharField(
        label="対象（ID・URL）", required=False, max_length=200, help_text="相談対象者などの ID、または URL の一部"
    )
    date_from = forms.DateField(label="期間（から）", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="期間（まで）", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("期間の「から」は「まで」より前の日付にしてください。")
        return cleaned
