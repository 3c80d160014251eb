"""The 業務報告書 as plain data: what every renderer takes, and nothing else."""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Row:
    """One leaf row: its label path from the top group, its numbers and its free text."""

    path: tuple[str, ...]
    values: dict[str, int]
    text: str = ""
    key: str = ""  # a stable identifier of the row (the leaf's code) for edits and comparisons


@dataclass(frozen=True)
class Section:
    """A counted table (sections 1–5); `keys` name the numeric columns in order.

    `headings` are the numeric columns' headings, one per key in the same order; `text_heading`
    heads the free-text column ("" when the section has no text).
    """

    number: int
    title: str
    keys: tuple[str, ...]
    rows: tuple[Row, ...]
    has_text: bool = False
    headings: tuple[str, ...] = ()
    text_heading: str = ""

    def __post_init__(self):
        if self.headings and len(self.headings) != len(self.keys):
            raise ValueError(f"section {self.number}: {len(self.headings)} headings for {len(self.keys)} keys")

    @property
    def total(self) -> dict[str, int]:
        return {key: sum(row.values[key] for row in self.rows) for key in self.keys}


@dataclass(frozen=True)
class EventTable:
    """A list of events (sections 6–8): column headings and one tuple of strings per event.

    `grouped`: the rows come grouped by their first column (§6's 区内 / 区外), printed as one
    cell down each group's rows. A section's tables print as one table, each with its heading row.
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    grouped: bool = False


@dataclass(frozen=True)
class EventSection:
    number: int
    title: str
    tables: tuple[EventTable, ...]


@dataclass(frozen=True)
class MonthlyCounts:
    """Counts per month for a few series (a chart): `series` is (label, one count per month)."""

    months: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True)
class Report:
    """A report of one kind (see reporting/kinds.py) for one office and period, as every renderer takes it.

    The header prints `summary`, one line each, when the kind has one; the 業務報告書 (kind "quarterly",
    with an empty summary) prints its 営業日 and 時間外 lines from the fields below.
    """

    title: str
    office: str
    schedule: str
    fiscal_year: int
    quarters: tuple[int, int]
    start: date
    end: date
    business_days: int
    out_of_hours: int
    activities: int
    sections: tuple[Section, ...]
    event_sections: tuple[EventSection, ...]
    footnotes: tuple[str, ...] = field(default=())
    monthly_methods: MonthlyCounts = field(default=MonthlyCounts((), ()))
    kind: str = "quarterly"
    summary: tuple[str, ...] = ()

    @property
    def header_lines(self) -> tuple[str, ...]:
        """The lines under the title and office: the kind's summary, else the 業務報告書's schedule and figures."""
        if self.summary:
            return self.summary
        return (
            self.schedule,
            f"{self.business_days} 営業日",
            f"時間外の活動：{self.out_of_hours}回 / {self.activities}回",
        )

    def section(self, number: int) -> Section:
        return next(section for section in self.sections if section.number == number)


def other_kind_report(kind: str, title: str, office: str, period, **fields) -> Report:
    """A Report of a kind other than the 業務報告書 for a FiscalPeriod: no schedule line and none of
    its 営業日 and 時間外 figures (its header is its `summary`); `fields` give the sections and the rest."""
    return Report(
        title=title,
        office=office,
        schedule="",
        fiscal_year=period.fiscal_year,
        quarters=(period.first_quarter, period.last_quarter),
        start=period.start,
        end=period.end,
        business_days=0,
        out_of_hours=0,
        activities=0,
        kind=kind,
        **fields,
    )
