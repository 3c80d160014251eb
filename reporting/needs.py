"""build_needs_report(office, period): the 課題解決状況, the council's (協議会) report on the needs register.

Anonymous by construction: it prints no client, log text or staff member, only the needs' own
fields, their notes' dates, statuses and texts, and the number of distinct clients of their logs;
a number of families under the threshold is printed 「3未満」. The names of the office's clients,
their families and its staff are read only to leave out a title, a note or a meeting name that
contains one (the register warns when one is typed; this is the second line of defence).

Every figure is as of the period's end: a need's status, its latest note and its families are
what they were on that day, so a past period's report does not change as the need moves on.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Office
from coordination.fiscal import FiscalPeriod
from coordination.needs.models import Need, NeedCategory, NeedStatus
from coordination.needs.selectors import contains_a_name, need_family_pairs, needs_for_report, people_names
from tabular.wareki import format_date

from .tables import EventSection, EventTable, Report, Row, Section, other_kind_report

KIND = "needs"
TITLE = "課題解決状況"
# A number of families from 1 to this less one is printed 「3未満」 (0 is printed 0).
SMALL_COUNT_THRESHOLD = 3
LEFT_OUT = "（個人名を含むため省略）"

KEYS = ("found", "resolved", "ongoing")
HEADINGS = ("新たに把握", "解決", "継続中 (期末)")
FAMILIES_HEADING = "家族数"
COLUMNS = ("分類", "課題", "期末の状況", "年齢・地域", "最新の経過", "提起した会議", "家族数")


def masked(count: int, threshold: int = SMALL_COUNT_THRESHOLD) -> str:
    """A number of families as printed: 0, 「3未満」 from 1 to threshold − 1, else the number."""
    if 0 < count < threshold:
        return f"{threshold}未満"
    return str(count)


@dataclass(frozen=True)
class _Timeline:
    """A need's statuses by date: from its notes, and its own status where it is newer than them."""

    found_on: date
    changes: tuple[tuple[date, str], ...]  # (day, status), oldest first

    @classmethod
    def of(cls, need: Need) -> "_Timeline":
        notes = list(need.notes.all())  # prefetched, oldest first
        changes = [(note.on, note.status) for note in notes]
        if not changes or changes[-1][1] != need.status or changes[-1][0] < need.status_changed_on:
            # A status set without a note (the admin, an import): it holds from its day.
            changes.append((need.status_changed_on, need.status))
        created_on = timezone.localdate(need.created_at) if need.created_at else need.status_changed_on
        found_on = notes[0].on if notes else min(created_on, need.status_changed_on)
        return cls(found_on, tuple(sorted(changes, key=lambda change: change[0])))

    def status_on(self, day: date) -> str | None:
        """The status at the end of `day`; None before the need was found."""
        if day < self.found_on:
            return None
        status = NeedStatus.FOUND
        for on, changed_to in self.changes:
            if on > day:
                break
            status = changed_to
        return status

    def open_during(self, start: date, end: date) -> bool:
        """Whether the need was found by `end` and not 解決 at some time from `start` to `end`."""
        if self.found_on > end:
            return False
        statuses = [self.status_on(start - timedelta(days=1))]
        statuses += [status for on, status in self.changes if start <= on <= end]
        return any(status != NeedStatus.RESOLVED for status in statuses)

    def resolved_during(self, start: date, end: date) -> bool:
        """解決 at the end of the period, and not at its start."""
        return (
            self.status_on(end) == NeedStatus.RESOLVED
            and self.status_on(start - timedelta(days=1)) != NeedStatus.RESOLVED
        )


def _latest_note(need: Need, end: date, names) -> str:
    """The need's latest note with a text, dated up to `end`: 「2025年9月1日 …」 (never its description)."""
    note = next((note for note in reversed(need.notes.all()) if note.on <= end and note.text.strip()), None)
    if note is None:
        return ""
    text = LEFT_OUT if contains_a_name(names, note.text) else " ".join(note.text.split())
    return f"{format_date(note.on)} {text}"


def _meeting(need: Need, end: date, names) -> str:
    event = need.raised_at
    if event is None or event.held_on > end:
        return ""
    name = LEFT_OUT if contains_a_name(names, event.name) else event.name
    return f"{name}（{format_date(event.held_on)}）"


def _concerned(need: Need) -> str:
    """The life stages and districts concerned: 「未就学児、小学生／東地区」."""
    parts = ["、".join(need.life_stage_labels), "、".join(district.name for district in need.districts.all())]
    return "／".join(part for part in parts if part)


def _footnotes(threshold: int) -> tuple[str, ...]:
    notes = [
        "新たに把握：期間中に記録した課題。解決：期間中に「解決」になった課題。"
        "継続中：期末に「解決」でない課題（継続課題を含む）",
        "家族数：課題を把握した記録の相談対象者の実人数（期末までの記録）。分類ごとの家族数は重複を除く",
    ]
    if threshold > 1:
        small = "1" if threshold == 2 else f"1～{threshold - 1}"
        notes.append(f"家族数が{small}の場合は「{threshold}未満」と表示")
    notes.append("件名・経過・会議名に個人名が含まれる場合は表示しない")
    return tuple(notes)


def build_needs_report(
    office: Office, period: FiscalPeriod, *, small_count_threshold: int = SMALL_COUNT_THRESHOLD
) -> Report:
    """The 課題解決状況 of an office for a fiscal period, in at most six queries however many needs."""
    if small_count_threshold < 1:
        raise ValueError("small_count_threshold must be 1 or more")
    start, end = period.start, period.end
    needs = list(needs_for_report(office, start))
    timelines = {need.pk: _Timeline.of(need) for need in needs}
    shown = [need for need in needs if timelines[need.pk].open_during(start, end)]
    families: dict[int, set[int]] = {}
    for need_id, client_id in need_family_pairs([need.pk for need in shown], end):
        families.setdefault(need_id, set()).add(client_id)
    names = people_names(office)

    counts = {key: {} for key in KEYS}
    category_families: dict[int, set[int]] = {}
    for need in needs:
        timeline = timelines[need.pk]
        category = need.category_id
        if start <= timeline.found_on <= end:
            counts["found"][category] = counts["found"].get(category, 0) + 1
        if timeline.resolved_during(start, end):
            counts["resolved"][category] = counts["resolved"].get(category, 0) + 1
        if timeline.found_on <= end and timeline.status_on(end) != NeedStatus.RESOLVED:
            counts["ongoing"][category] = counts["ongoing"].get(category, 0) + 1
    for need in shown:
        category_families.setdefault(need.category_id, set()).update(families.get(need.pk, ()))

    categories = list(NeedCategory.objects.order_by("position"))
    section = Section(
        1,
        "分類別の状況",
        KEYS,
        tuple(
            Row(
                path=(category.name,),
                values={key: counts[key].get(category.pk, 0) for key in KEYS},
                text=masked(len(category_families.get(category.pk, ())), small_count_threshold),
                key=category.code,
            )
            for category in categories
        ),
        has_text=True,
        headings=HEADINGS,
        text_heading=FAMILIES_HEADING,
    )
    position = {category.pk: index for index, category in enumerate(categories)}
    rows = tuple(
        (
            need.category.name,
            LEFT_OUT if contains_a_name(names, need.title) else need.title,
            NeedStatus(timelines[need.pk].status_on(end)).label,
            _concerned(need),
            _latest_note(need, end, names),
            _meeting(need, end, names),
            masked(len(families.get(need.pk, ())), small_count_threshold),
        )
        for need in sorted(shown, key=lambda need: (position.get(need.category_id, len(position)), need.pk))
    )
    table = EventTable("課題ごとの状況", COLUMNS, rows, grouped=True)
    all_families = set().union(*families.values()) if families else set()
    total = section.total
    return other_kind_report(
        KIND,
        TITLE,
        office.name,
        period,
        sections=(section,),
        event_sections=(EventSection(2, "課題ごとの状況", (table,)),),
        footnotes=_footnotes(small_count_threshold),
        summary=(
            f"{period.label}（{period.date_range_label}）",
            f"期間中に扱った課題：{len(shown)}件（新たに把握 {total['found']}件）",
            f"解決：{total['resolved']}件　継続中（期末）：{total['ongoing']}件",
            f"関係する家族（実人数）：{masked(len(all_families), small_count_threshold)}",
        ),
    )
