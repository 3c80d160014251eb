"""Saving contact logs: everything or nothing, one history record per save, and edit conflicts."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coordination.clients.models import Client
from coordination.logs.history import contact_log_history
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart
from coordination.logs.services import (
    LOG_CONFLICT,
    ContactLogConflict,
    CounterpartEntry,
    contact_log_create,
    contact_log_update,
)
from directory.models import CounterpartCategory, Provider

pytestmark = pytest.mark.django_db


def node(model, code):
    return model.objects.get(code=code)


@pytest.fixture
def log_fields(demo_office):
    return {
        "occurred_on": date(2025, 4, 1),
        "started_at": time(10, 30),
        "duration_minutes": 15,
        "client": Client.objects.for_office(demo_office).order_by("pk").first(),
        "method": node(ContactMethod, "phone"),
        "activity_types": [node(ActivityType, "discharge"), node(ActivityType, "home-medical-nursing")],
        "counterparts": [
            CounterpartEntry(category=node(CounterpartCategory, "party-parent-mother")),
            CounterpartEntry(
                category=node(CounterpartCategory, "medical-visiting-nurse"),
                provider=Provider.objects.active().order_by("pk").first(),
            ),
        ],
        "report_summary": "退院に向けて訪問看護と調整",
        "include_in_report": True,
    }


def test_a_log_is_saved_with_its_counterparts_and_activity_types(demo_office, coordinator, log_fields):
    log = contact_log_create(office=demo_office, coordinator=coordinator, **log_fields)

    log.refresh_from_db()
    assert log.coordinator == coordinator and log.office == demo_office
    assert log.version == 1
    assert {t.code for t in log.activity_types.all()} == {"discharge", "home-medical-nursing"}
    assert sorted(c.category.code for c in log.counterparts.all()) == ["medical-visiting-nurse", "party-parent-mother"]
    assert log.report_summary == "退院に向けて訪問看護と調整"


def test_a_new_log_has_one_history_record_with_its_activity_types(demo_office, coordinator, log_fields):
    log = contact_log_create(office=demo_office, coordinator=coordinator, **log_fields)

    records = list(log.history.all())
    assert len(records) == 1
    assert records[0].history_type == "+"
    assert records[0].history_user == coordinator
    assert {row.activitytype.code for row in records[0].activity_types.all()} == {"discharge", "home-medical-nursing"}
    assert [entry.action for entry in contact_log_history(log)] == ["作成"]


def test_a_bad_counterpart_saves_nothing(demo_office, coordinator, log_fields):
    before = (ContactLog.objects.count(), Counterpart.objects.count())
    # A group of §3, not a leaf: the report could not count it.
    log_fields["counterparts"] = [
        CounterpartEntry(category=node(CounterpartCategory, "party-parent-mother")),
        CounterpartEntry(category=node(CounterpartCategory, "medical"), organization_name="どこかの病院"),
    ]
    with pytest.raises(ValidationError) as error:
        contact_log_create(office=demo_office, coordinator=coordinator, **log_fields)

    assert "counterparts" in error.value.message_dict
    assert error.value.message_dict["counterparts"][0].startswith("相手先2：")
    assert (ContactLog.objects.count(), Counterpart.objects.count()) == before


def test_a_counterpart_with_both_a_provider_and_a_typed_name_is_refused(demo_office, coordinator, log_fields):
    log_fields["counterparts"] = [
        CounterpartEntry(
            category=node(CounterpartCategory, "medical-visiting-nurse"),
            provider=Provider.objects.active().first(),
            organization_name="別の名前",
        )
    ]
    with pytest.raises(ValidationError, match="どちらか一方"):
        contact_log_create(office=demo_office, coordinator=coordinator, **log_fields)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"activity_types": []}, "activity_types", "種別を1つ以上選んでください。"),
        ({"counterparts": []}, "counterparts", "相談者・相手先を1件以上入力してください。"),
        ({"method": "visit"}, "method", "方法は一番下の区分から選んでください。"),
        (
            {"include_in_report": True, "report_summary": ""},
            "report_summary",
            "報告書に載せる場合は要約を入力してください。",
        ),
    ],
)
def test_each_rule_is_told_in_japanese_and_nothing_is_saved(
    demo_office, coordinator, log_fields, change, field, message
):
    if change.get("method"):
        change["method"] = node(ContactMethod, change["method"])
    log_fields.update(change)
    count = ContactLog.objects.count()
    with pytest.raises(ValidationError) as error:
        contact_log_create(office=demo_office, coordinator=coordinator, **log_fields)
    assert message in error.value.message_dict[field]
    assert ContactLog.objects.count() == count


def test_a_future_date_is_refused(demo_office, coordinator, log_fields):
    log_fields["occurred_on"] = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        contact_log_create(office=demo_office, coordinator=coordinator, **log_fields)
    assert error.value.message_dict["occurred_on"][0].startswith("未来の日付は入力できません")


def test_a_client_of_another_office_is_refused(demo_office, coordinator, log_fields):
    from tests.coordination.client_factories import make_client, make_office

    log_fields["client"] = make_client(make_office())
    with pytest.raises(ValidationError) as error:
        contact_log_create(office=demo_office, coordinator=coordinator, **log_fields)
    assert error.value.message_dict["client"] == ["この事業所の相談対象者から選んでください。"]


def test_an_edit_saves_a_new_version_and_one_history_record(demo_office, coordinator, supervisor, log_fields):
    log = contact_log_create(office=demo_office, coordinator=coordinator, **log_fields)
    mother, nurse = log_fields["counterparts"]
    log_fields.update(
        report_summary="退院前カンファレンスに参加",
        activity_types=[node(ActivityType, "discharge")],
        counterparts=[
            mother,
            CounterpartEntry(category=node(CounterpartCategory, "medical-hospital"), organization_name="区立病院"),
        ],
    )

    updated = contact_log_update(log=log, expected_version=1, user=coordinator, **log_fields)

    assert updated.version == 2
    assert [c.organization_label for c in updated.counterparts.order_by("id")] == ["", "区立病院"]
    # The mother's row was kept as it was; only the nurse's row was replaced.
    assert Counterpart.history.filter(contact_log_id=log.pk, history_type="-").count() == 1
    assert log.history.count() == 2
    latest = contact_log_history(updated)[0]
    assert latest.action == "変更" and latest.who == str(coordinator)
    changed = {change.label: (change.old, change.new) for change in latest.changes}
    assert changed["報告書用の要約"] == ("退院に向けて訪問看護と調整", "退院前カンファレンスに参加")
    assert changed["種別"] == (
        "在宅医療 ▸ 訪問看護、退院前カンファレンス・退院前訪問",
        "退院前カンファレンス・退院前訪問",
    )
    assert "区立病院" in changed["相談者・相手先"][1]
    assert set(changed) == {"報告書用の要約", "種別", "相談者・相手先"}


def test_a_stale_edit_is_refused_and_saves_nothing(demo_office, coordinator, log_fields):
    log = contact_log_create(office=demo_office, coordinator=coordinator, **log_fields)
    first = dict(log_fields, report_summary="先に保存した人の要約")
    contact_log_update(log=log, expected_version=1, user=coordinator, **first)

    second = dict(log_fields, report_summary="後から保存した人の要約", activity_types=[node(ActivityType, "listening")])
    with pytest.raises(ContactLogConflict) as conflict:
        contact_log_update(log=log, expected_version=1, user=coordinator, **second)

    assert conflict.value.messages == [LOG_CONFLICT]
    assert LOG_CONFLICT.startswith("ほかの人がこの記録を先に更新しました")
    assert conflict.value.current.report_summary == "先に保存した人の要約"
    log.refresh_from_db()
    assert (log.version, log.report_summary) == (2, "先に保存した人の要約")
    assert {t.code for t in log.activity_types.all()} == {"discharge", "home-medical-nursing"}
    assert log.history.count() == 2


def test_the_first_edit_of_a_log_saved_in_bulk_keeps_what_it_said_before(demo_office, coordinator):
    log = ContactLog.objects.for_office(demo_office).filter(client__isnull=False).order_by("pk").first()
    assert not log.history.exists()
    fields = {
        "occurred_on": log.occurred_on,
        "started_at": log.started_at,
        "duration_minutes": log.duration_minutes,
        "client": log.client,
        "method": log.method,
        "activity_types": list(log.activity_types.all()),
        "counterparts": [
            CounterpartEntry(category=c.category, provider=c.provider, organization_name=c.organization_name)
            for c in log.counterparts.all()
        ],
        "report_summary": log.report_summary,
        "include_in_report": log.include_in_report,
        "confidential_notes": "面談の記録を追記",
    }

    contact_log_update(log=log, expected_version=log.version, user=coordinator, **fields)

    history = contact_log_history(log)
    assert [entry.action for entry in history] == ["変更", "作成"]
    assert [change.label for change in history[0].changes] == ["記録（要配慮・報告書には出ない）"]
    assert history[1].who == "（不明）"
