"""The `date` and `time` filters that remember plain dates' and times' text write what Django's do."""

from datetime import UTC, date, datetime, time

from django.template import Context, Template, defaultfilters, engines
from django.utils import translation

FORMATS = ["Y年n月j日", "Y年n月j日（D）", "n月j日", "Y-m-d", "D", "l F"]


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_templates_use_the_remembering_filters():
    effective = {}
    for library in engines["django"].engine.template_builtins:  # later builtins win, as in the template parser
        effective.update(library.filters)
    assert effective["date"].__module__ == "common.template_dates"
    assert effective["time"].__module__ == "common.template_dates"


def test_templates_format_dates_and_times_as_django_does():
    days = [date(2025, 4, 1), date(2024, 2, 29), date(2026, 12, 31)]
    for day in days:
        for fmt in FORMATS:
            for _ in range(2):  # the second time from memory
                assert render(f'{{{{ d|date:"{fmt}" }}}}', d=day) == defaultfilters.date(day, fmt)
    for moment in [time(9, 5), time(16, 45, 30)]:
        assert render('{{ t|time:"G:i" }}', t=moment) == defaultfilters.time(moment, "G:i")


def test_weekday_names_follow_the_language():
    day = date(2025, 4, 1)
    with translation.override("ja"):
        assert render('{{ d|date:"D" }}', d=day) == "火"
    with translation.override("en"):
        assert render('{{ d|date:"D" }}', d=day) == "Tue"
    with translation.override("ja"):
        assert render('{{ d|date:"D" }}', d=day) == "火"


def test_datetimes_named_formats_and_empty_values_go_to_djangos_filter():
    moment = datetime(2025, 4, 1, 0, 30, tzinfo=UTC)  # 9:30 in Tokyo
    assert render('{{ m|date:"Y年n月j日 G:i" }}', m=moment) == "2025年4月1日 9:30"
    assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=date(2025, 4, 1)) == defaultfilters.date(
        date(2025, 4, 1), "SHORT_DATE_FORMAT"
    )
    assert render('{{ d|date:"Y年" }}', d=None) == ""
    assert render('{{ d|date:"Y年" }}', d="") == ""
    assert Template('{{ t|time:"G:i" }}').render(Context({"t": None})) == ""
