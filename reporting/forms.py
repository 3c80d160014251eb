from dataclasses import dataclass

from django import forms

from coordination.fiscal import FiscalPeriod, fiscal_year_label

from .tables import Report, Row, Section

# A single quarter, a cumulative range from Q1, or the whole year (report.md, "Period and header").
QUARTER_CHOICES = [
    ("1", "第1四半期"),
    ("2", "第2四半期"),
    ("3", "第3四半期"),
    ("4", "第4四半期"),
    ("1-2", "第1～2四半期"),
    ("1-3", "第1～3四半期"),
    ("1-4", "第1～4四半期（通年）"),
]


class PeriodForm(forms.Form):
    """The report page's picker: a fiscal year (in wareki) and a quarter range."""

    fiscal_year = forms.TypedChoiceField(label="年度", coerce=int)
    quarters = forms.ChoiceField(label="四半期", choices=QUARTER_CHOICES)
    compare = forms.BooleanField(label="前年同期と比べる", required=False)

    def __init__(self, *args, fiscal_years: list[int], **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["fiscal_year"].choices = [(year, fiscal_year_label(year)) for year in fiscal_years]
        self.fields["fiscal_year"].error_messages["invalid_choice"] = "選べる年度から選んでください。"
        self.fields["quarters"].error_messages["invalid_choice"] = "四半期は一覧から選んでください。"

    @staticmethod
    def initial_for(period: FiscalPeriod) -> dict:
        return {"fiscal_year": period.fiscal_year, "quarters": period.quarter_range}

    @property
    def period(self) -> FiscalPeriod:
        return FiscalPeriod.parse_range(self.cleaned_data["fiscal_year"], self.cleaned_data["quarters"])


@dataclass(frozen=True)
class TextRow:
    """One editable row of the texts form: its section, its report row and its bound field."""

    section: Section
    row: Row
    field: forms.BoundField

    @property
    def count(self) -> int:
        return self.row.values.get("count", 0)


@dataclass(frozen=True)
class TextSection:
    """A section's editable rows: `shown` have a count or a text, `others` wait behind a <details>."""

    section: Section
    shown: list[TextRow]
    others: list[TextRow]


def _text_rows(text: str) -> int:
    """A text box's starting height: one line for a short text, two for a longer one (it grows as typed)."""
    return 1 if len(text) <= 40 and "\n" not in text else 2


class ReportTextsForm(forms.Form):
    """The draft's editable texts: the schedule line and the text of each row of §3, §4 and §5.

    `seen` carries the draft's version as read (QuarterlyReport.edit_token): a save over someone
    else's newer save is refused. A row's box left out of the posted data (a page that did not
    show it) keeps the row's text as it is; only the boxes posted are saved.
    """

    schedule = forms.CharField(label="開所日・時間の表記", max_length=200)
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, report: Report, seen: str, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.rows = []
        for section in report.sections:
            if not section.has_text:
                continue
            for row in section.rows:
                name = f"text_{section.number}_{row.key}"
                self.fields[name] = forms.CharField(
                    label=" ▸ ".join(row.path),
                    required=False,
                    initial=row.text,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": _text_rows(row.text), "class": "text-box"}),
                )
                self.rows.append((section, row, name))
        self.fields["schedule"].initial = report.schedule
        self.fields["seen"].initial = seen

    @property
    def text_sections(self) -> list[TextSection]:
        """The editable rows by section, for the template: rows with a count or a text first."""
        sections: dict[int, TextSection] = {}
        for section, row, name in self.rows:
            group = sections.setdefault(section.number, TextSection(section, [], []))
            text_row = TextRow(section, row, self[name])
            has_text = row.text or (self.is_bound and self.data.get(name))
            # A box with an error stays in sight, wherever its row would be.
            if text_row.count or has_text or self[name].errors:
                group.shown.append(text_row)
            else:
                group.others.append(text_row)
        return list(sections.values())

    def texts(self) -> dict[str, dict[str, str]]:
        """The posted texts by section and row key; a row whose box was not posted is left out."""
        texts: dict[str, dict[str, str]] = {}
        for section, row, name in self.rows:
            if name in self.data:
                texts.setdefault(str(section.number), {})[row.key] = self.cleaned_data[name]
        return texts
