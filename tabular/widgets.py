"""Spreadsheet cells to and from values (django-import-export widgets) that know no domain rules."""

import re
import unicodedata
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import widgets

from .dates import parse_date, refuse_future

_SPACES = re.compile(r"\s+")


def cell_key(text) -> str:
    """Compare labels without width, case or spacing differences (`ｆａｘ` = `FAX`)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).casefold()


def cell_text(value) -> str:
    """A cell as stripped text; a whole number that Excel stored as 3.0 reads as `3`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def single_spaced(text) -> str:
    """Runs of spaces (full-width too) made one half-width space (`青山　颯` → `青山 颯`)."""
    return _SPACES.sub(" ", cell_text(text))


class TextWidget(widgets.Widget):
    def __init__(self, *, name: bool = False):
        super().__init__()
        self.name = name

    def clean(self, value, row=None, **kwargs):
        return single_spaced(value) if self.name else cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return value or ""


class DateCellWidget(widgets.Widget):
    """A date cell of Excel, or text in any form people type (`2025/4/1`, `R7.4.1`, `令和7年4月1日`)."""

    def __init__(self, *, allow_future: bool = False):
        super().__init__()
        self.allow_future = allow_future

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        elif not cell_text(value):
            return None
        else:
            try:
                day = parse_date(cell_text(value))
            except ValidationError as error:
                raise ValueError(error.messages[0]) from None
        if not self.allow_future:
            try:
                refuse_future(day, timezone.localdate())
            except ValidationError as error:
                raise ValueError(error.messages[0]) from None
        return day

    def render(self, value, obj=None, **kwargs):
        # A date, not text: Excel shows it as a date and sorts it; the CSV gets 2025-04-01.
        return value if value is not None else ""


class YesNoWidget(widgets.Widget):
    YES = {"はい", "あり", "有", "○", "◯", "〇", "1", "true", "yes", "y", "する"}
    NO = {"", "いいえ", "なし", "無", "×", "0", "false", "no", "n", "しない", "-"}

    def __init__(self, yes: str = "はい", no: str = "いいえ"):
        super().__init__()
        self.yes, self.no = yes, no

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_key(cell_text(value))
        if text in self.YES or text == cell_key(self.yes):
            return True
        if text in self.NO or text == cell_key(self.no):
            return False
        raise ValueError(f"「{cell_text(value)}」は「{self.yes}」か「{self.no}」で書いてください。")

    def render(self, value, obj=None, **kwargs):
        return self.yes if value else self.no


class ChoiceLabelWidget(widgets.Widget):
    def __init__(self, choices, default):
        super().__init__()
        self.choices, self.default = choices, default

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return self.default
        for choice in self.choices:
            if cell_key(text) in (cell_key(choice.value), cell_key(choice.label)):
                return choice.value
        labels = "・".join(f"「{choice.label}」" for choice in self.choices)
        raise ValueError(f"「{text}」は選べません。{labels}のどれかを書いてください。")

    def render(self, value, obj=None, **kwargs):
        return self.choices(value).label if value else ""
