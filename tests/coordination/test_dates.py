"""Dates typed in Western or Japanese-era form, and the form field that reads them."""

from datetime import date, timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from coordination.forms import JapaneseDateField
from tabular.dates import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-01", date(2025, 4, 1)),
        ("2025/4/1", date(2025, 4, 1)),
        ("2025/04/01", date(2025, 4, 1)),
        ("2025.4.1", date(2025, 4, 1)),
        ("2025年4月1日", date(2025, 4, 1)),
        ("20250401", date(2025, 4, 1)),
        ("  2025/4/1  ", date(2025, 4, 1)),
        ("R7.4.1", date(2025, 4, 1)),
        ("r7.4.1", date(2025, 4, 1)),
        ("R7/4/1", date(2025, 4, 1)),
        ("R07.04.01", date(2025, 4, 1)),
        ("令和7年4月1日", date(2025, 4, 1)),
        ("令和7.4.1", date(2025, 4, 1)),
        ("令和 7年 4月 1日", date(2025, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R1.5.1", date(2019, 5, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("H20.2.29", date(2008, 2, 29)),
        ("S64.1.7", date(1989, 1, 7)),
        ("昭和50年10月10日", date(1975, 10, 10)),
        ("T15.12.24", date(1926, 12, 24)),
        ("M45.7.29", date(1912, 7, 29)),
        # Full-width digits, letters and separators, as a Japanese IME types them.
        ("２０２５／４／１", date(2025, 4, 1)),
        ("２０２５－０４－０１", date(2025, 4, 1)),
        ("Ｒ７．４．１", date(2025, 4, 1)),
        ("令和７年４月１日", date(2025, 4, 1)),
        ("2025ー4ー1", date(2025, 4, 1)),
    ],
)
def test_a_typed_date_is_read(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "日付を入力してください。"),
        ("あした", "日付として読み取れません。2025/4/1、2025-04-01、R7.4.1、令和7年4月1日 のように入力してください。"),
        ("2025/4", "日付として読み取れません"),
        ("4/1", "日付として読み取れません"),
        ("25/4/1", "日付として読み取れません"),
        ("2025/4/1/3", "日付として読み取れません"),
        (
            "X7.4.1",
            "「X」という元号はわかりません。令和（R）・平成（H）・昭和（S）・大正（T）・明治（M）で入力してください。",
        ),
        ("天平7年4月1日", "「天平」という元号はわかりません。"),
        ("2025年2月30日", "2025年2月30日という日付はありません。"),
        ("令和7年2月30日", "令和7年2月30日という日付はありません。"),
        ("R7.13.1", "令和7年13月1日という日付はありません。"),
        ("2025/4/31", "2025年4月31日という日付はありません。"),
        ("2025/2/29", "2025年2月29日という日付はありません。"),
        ("R0.4.1", "令和0年4月1日という日付はありません。"),
        ("R1.4.30", "令和元年4月30日は令和の期間（2019年5月1日～）にありません。平成31年4月30日のことですか。"),
        (
            "H31.5.1",
            "平成31年5月1日は平成の期間（1989年1月8日～2019年4月30日）にありません。令和元年5月1日のことですか。",
        ),
    ],
)
def test_anything_else_is_refused_with_a_clear_japanese_message(text, message):
    with pytest.raises(ValidationError) as error:
        parse_date(text)
    assert message in error.value.messages[0]


class DateForm(forms.Form):
    day = JapaneseDateField(label="日付", not_future=True)
    due = JapaneseDateField(label="期限", required=False)


def test_the_field_reads_japanese_dates_into_dates():
    form = DateForm({"day": "R7.4.1", "due": "令和7年5月1日"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"day": date(2025, 4, 1), "due": date(2025, 5, 1)}


def test_the_field_refuses_a_future_date_when_told_to():
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = DateForm({"day": tomorrow.isoformat(), "due": tomorrow.isoformat()})
    assert not form.is_valid()
    today = timezone.localdate()
    assert form.errors["day"] == [
        f"未来の日付は入力できません（今日は{today.year}年{today.month}月{today.day}日です）。"
    ]
    assert "due" not in form.errors


def test_today_is_not_in_the_future():
    form = DateForm({"day": timezone.localdate().strftime("%Y/%m/%d")})
    assert form.is_valid(), form.errors


def test_an_empty_optional_date_is_none_and_a_required_one_is_asked_for():
    form = DateForm({"day": "", "due": ""})
    assert not form.is_valid()
    assert form.errors["day"] == ["日付を入力してください。"]
    assert form.cleaned_data["due"] is None


def test_a_garbage_date_shows_the_accepted_forms():
    form = DateForm({"day": "きのう"})
    assert not form.is_valid()
    assert "R7.4.1" in form.errors["day"][0]


def test_the_field_is_a_text_input_that_shows_a_date_as_people_write_it():
    form = DateForm(initial={"day": date(2025, 4, 1)})
    html = str(form["day"])
    assert 'type="text"' in html
    assert 'inputmode="text"' in html
    assert 'value="2025/4/1"' in html
    assert "例：" in str(form["day"].help_text)
