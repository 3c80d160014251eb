"""Forms of the office settings pages: weekly hours, a click on the calendar, the report header."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Office, Weekday

from .calendar_services import CLOSED, CLOSURE, EXTRA, HOURS_MISSING, HOURS_ORDER, NO_OPEN_DAY, OPEN, DayHours

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TIME_ERRORS = {"invalid": "時刻は 9:00 のように入力してください。"}


class OpeningHoursForm(forms.Form):
    """Seven weekdays: open or closed, and from when to when."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        for weekday in Weekday:
            label = f"{weekday.label}曜日"
            self.fields[f"open_{weekday.value}"] = forms.BooleanField(label=f"{label}は開所", required=False)
            self.fields[f"opens_{weekday.value}"] = forms.TimeField(
                label=f"{label}の開始", required=False, widget=TIME_WIDGET, error_messages=TIME_ERRORS
            )
            self.fields[f"closes_{weekday.value}"] = forms.TimeField(
                label=f"{label}の終了", required=False, widget=TIME_WIDGET, error_messages=TIME_ERRORS
            )

    @classmethod
    def initial_for(cls, office: Office, hours: dict) -> dict:
        initial = {"version": office.hours_version}
        for weekday in Weekday:
            row = hours.get(weekday.value)
            initial[f"open_{weekday.value}"] = row is not None
            initial[f"opens_{weekday.value}"] = row.opens_at if row else None
            initial[f"closes_{weekday.value}"] = row.closes_at if row else None
        return initial

    def rows(self):
        """(weekday label, open box, opens, closes) for the template's table."""
        return [
            (
                f"{weekday.label}曜日",
                self[f"open_{weekday.value}"],
                self[f"opens_{weekday.value}"],
                self[f"closes_{weekday.value}"],
            )
            for weekday in Weekday
        ]

    def clean(self):
        data = super().clean()
        if not any(data.get(f"open_{weekday.value}") for weekday in Weekday):
            raise ValidationError(NO_OPEN_DAY)
        for weekday in Weekday:
            if not data.get(f"open_{weekday.value}"):
                continue
            opens, closes = data.get(f"opens_{weekday.value}"), data.get(f"closes_{weekday.value}")
            if f"opens_{weekday.value}" in self.errors or f"closes_{weekday.value}" in self.errors:
                continue
            if opens is None or closes is None:
                self.add_error(f"closes_{weekday.value}", f"{weekday.label}曜日：{HOURS_MISSING}")
            elif opens >= closes:
                self.add_error(f"closes_{weekday.value}", f"{weekday.label}曜日：{HOURS_ORDER}")
        return data

    def days(self) -> list[DayHours]:
        data = self.cleaned_data
        return [
            DayHours(
                weekday.value,
                bool(data.get(f"open_{weekday.value}")),
                data.get(f"opens_{weekday.value}") if data.get(f"open_{weekday.value}") else None,
                data.get(f"closes_{weekday.value}") if data.get(f"open_{weekday.value}") else None,
            )
            for weekday in Weekday
        ]


NO_DAY = "カレンダーの日付をクリックしてください。理由と時間を入力しただけでは保存されません。"
BAD_DAY = "日付の指定が正しくありません。カレンダーの日付をクリックしてください。"


class CalendarClickForm(forms.Form):
    """A click on a day of the month grid (the button's value: `2025-11-12|open`), with a reason and an
    extra day's hours typed above the grid beforehand."""

    day = forms.CharField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="理由（任意）",
        required=False,
        max_length=200,
        error_messages={"max_length": "理由は200文字以内で入力してください。"},
        help_text="例：職員研修のため休業。次にクリックする日に付きます。",
    )
    opens_at = forms.TimeField(label="臨時開所の開始", required=False, widget=TIME_WIDGET, error_messages=TIME_ERRORS)
    closes_at = forms.TimeField(label="臨時開所の終了", required=False, widget=TIME_WIDGET, error_messages=TIME_ERRORS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_day(self) -> tuple[date, str]:
        raw = self.cleaned_data["day"]
        if not raw:
            raise ValidationError(NO_DAY)
        text, _, state = raw.partition("|")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(BAD_DAY) from None
        if state not in (OPEN, CLOSED, CLOSURE, EXTRA) or not 2000 <= day.year <= 2100:
            raise ValidationError(BAD_DAY)
        return day, state

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if (opens is None) != (closes is None) and "opens_at" not in self.errors and "closes_at" not in self.errors:
            self.add_error("closes_at", "臨時開所の時間は開始と終了の両方を入力するか、両方とも空欄にしてください。")
        elif opens is not None and closes is not None and opens >= closes:
            self.add_error("closes_at", HOURS_ORDER)
        return data


class OfficeHeaderForm(forms.ModelForm):
    """The office's name and the schedule line printed in the report's header."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Office
        fields = ["name", "schedule_line"]
        error_messages = {
            "name": {
                "required": "事業所名を入力してください。",
                "unique": "この事業所名はほかの事業所が使っています。別の名前にしてください。",
                "max_length": "事業所名は200文字以内で入力してください。",
            },
            "schedule_line": {"max_length": "開所日時の表記は200文字以内で入力してください。"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_schedule_line(self) -> str:
        return self.cleaned_data["schedule_line"].strip()
