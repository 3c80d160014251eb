"""What each kind of event records: its fields and their labels as in report sections 6–8."""

from dataclasses import dataclass, field
from datetime import date

from coordination.events.models import EventKind

# Fields every kind shares, with their generic labels (used when a list mixes kinds).
COMMON_LABELS = {
    "role": "関わり方",
    "scope": "区内・区外",
    "name": "名称",
    "held_on": "日付",
    "started_at": "開始時刻",
    "ends_on": "終了日",
    "method_venue": "方法・会場",
    "topic": "内容",
    "audience": "対象",
    "participant_count": "参加者数",
    "participant_note": "参加者数の表記",
    "participants": "参加者数",
}


PARTICIPANT_HELP = "人数を数字で（例：30）"


PARTICIPANT_NOTE_HELP = "「30名程度」「学生70名 教員4名」など。空欄なら人数から「30名」と表示します"


@dataclass(frozen=True)
class KindLayout:
    """The form and list layout of one kind of event."""

    kind: EventKind
    noun: str  # この{noun}を相談・支援・活動記録にも数える
    fields: tuple[str, ...]  # the form's fields, in order
    labels: dict[str, str]
    columns: tuple[str, ...]  # the list's columns when it shows this kind only (the report's)
    column_labels: dict[str, str] = field(default_factory=dict)
    role_suggestions: tuple[str, ...] = ()
    required: tuple[str, ...] = ("name", "held_on")
    # The linked contact log's defaults (codes of ContactMethod / ActivityType leaves).
    log_method: str = "meeting-other"
    log_activity_type: str = "meeting-attendance"

    @property
    def can_count_as_log(self) -> bool:
        """その他 is not an activity in the report's header, so it is never counted as one."""
        return self.kind != EventKind.OTHER

    @property
    def count_as_log_label(self) -> str:
        return f"この{self.noun}を相談・支援・活動記録にも数える"

    def label(self, name: str) -> str:
        return self.labels.get(name, COMMON_LABELS[name])

    def column_label(self, name: str) -> str:
        return self.column_labels.get(name) or self.label(name)


PARTICIPANTS = ("participant_count", "participant_note")


LAYOUTS = {
    EventKind.OUTREACH: KindLayout(
        kind=EventKind.OUTREACH,
        noun="周知活動",
        fields=("scope", "name", "held_on", "started_at", "method_venue", "topic", "audience", *PARTICIPANTS),
        labels={
            "scope": "区内・区外",
            "name": "実施機関",
            "held_on": "実施日",
            "method_venue": "方法",
            "topic": "内容",
        },
        columns=("scope", "name", "held_on", "method_venue", "topic", "audience", "participants"),
        column_labels={"scope": "周知活動等"},
        required=("scope", "name", "held_on"),
        log_method="visit-other",
        log_activity_type="community-publicity",
    ),
    EventKind.MEETING: KindLayout(
        kind=EventKind.MEETING,
        noun="会議",
        fields=("role", "name", "held_on", "started_at", "method_venue", "topic", "audience", *PARTICIPANTS),
        labels={"role": "会議参加（関わり方）", "name": "会議名", "held_on": "開催日", "topic": "主な議題"},
        columns=("role", "name", "held_on", "method_venue", "topic", "audience", "participants"),
        column_labels={"role": "会議参加"},
        role_suggestions=("参加", "講師", "司会進行と運営サポート", "運営 ファシリテーター"),
        required=("role", "name", "held_on"),
    ),
    EventKind.TRAINING: KindLayout(
        kind=EventKind.TRAINING,
        noun="研修",
        fields=("role", "name", "held_on", "started_at", "method_venue", "topic", "audience", *PARTICIPANTS),
        labels={"role": "参加・開催", "name": "研修名", "held_on": "開催日", "topic": "主なテーマ"},
        columns=("role", "name", "held_on", "method_venue", "topic", "audience", "participants"),
        role_suggestions=("参加", "開催", "講師"),
        required=("role", "name", "held_on"),
    ),
    EventKind.OTHER: KindLayout(
        kind=EventKind.OTHER,
        noun="取り組み",
        fields=("name", "held_on", "ends_on", "method_venue", "topic", "audience"),
        labels={
            "name": "課題・テーマ",
            "held_on": "期間（始め）",
            "ends_on": "期間（終わり）",
            "method_venue": "方法",
            "topic": "内容・結果など",
        },
        columns=("name", "held_on", "method_venue", "topic", "audience"),
        column_labels={"held_on": "期間"},
    ),
}


# The list's columns when it mixes kinds.
MIXED_COLUMNS = ("kind", "held_on", "name", "role", "method_venue", "topic", "audience", "participants")


MIXED_COLUMN_LABELS = {
    "kind": "種類",
    "held_on": "日付",
    "name": "名称",
    "role": "関わり方・区内外",
    "method_venue": "方法・会場",
    "topic": "内容・議題・テーマ",
    "audience": "対象",
    "participants": "参加者数",
}


WEEKDAYS = "月火水木金土日"


def full_date(day: date) -> str:
    """`2025年4月14日（月）`."""
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def fact_rows(event, layout: KindLayout) -> list[tuple[str, str]]:
    """(label, text) of an event's fields for its page, in the form's order; participants as printed."""
    rows = []
    for name in layout.fields:
        if name == "participant_note":
            continue
        if name == "participant_count":
            rows.append((COMMON_LABELS["participants"], event.participants_label))
            continue
        value = getattr(event, name)
        if name == "scope":
            value = event.get_scope_display()
        elif name in ("held_on", "ends_on") and value:
            value = full_date(value)
        elif name == "started_at" and value:
            value = f"{value.hour}:{value.minute:02d}"
        rows.append((layout.label(name), value or ""))
    return rows
