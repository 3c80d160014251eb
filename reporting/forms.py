from django import forms

from coordination.fiscal import FiscalPeriod, fiscal_year_label

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


class ReportTextsForm(forms.Form):
    """The draft's editable texts: the schedule line and the text of each §3 and §5 row."""

    schedule = forms.CharField(label="開所日・時間の表記", max_length=200)

    def __init__(self, *args, report, **kwargs):
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
                    widget=forms.Textarea(attrs={"rows": 2 if len(row.text) < 80 else 4}),
                )
                self.rows.append((section, row, name))
        self.fields["schedule"].initial = report.schedule

    @property
    def text_rows(self):
        """(section, row, bound field) per editable row, for the template."""
        return [(section, row, self[name]) for section, row, name in self.rows]

    def texts(self) -> dict[str, dict[str, str]]:
        texts: dict[str, dict[str, str]] = {}
        for section, row, name in self.rows:
            texts.setdefault(str(section.number), {})[row.key] = self.cleaned_data[name]
        return texts
