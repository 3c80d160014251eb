"""An office's districts in the order of the report's §2: a supervisor moves, adds and removes them."""

import pytest
from django.urls import reverse

from directory.models import District, OfficeDistrict
from directory.selectors import office_districts
from tests.coordination.client_factories import make_office

pytestmark = pytest.mark.django_db

INDEX = reverse("district_settings:index")
ADD = reverse("district_settings:add")
MOVE = reverse("district_settings:move")
REMOVE = reverse("district_settings:remove")
REPORT = f"{reverse('reporting:quarterly')}?fiscal_year=2025&quarters=1-3"


@pytest.fixture
def signed_in(client, supervisor):
    client.force_login(supervisor)
    return client


def names(office) -> list[str]:
    return [district.name for district in office_districts(office)]


def order(office) -> str:
    return ",".join(
        str(pk) for pk in OfficeDistrict.objects.filter(office=office).order_by("position").values_list("pk", flat=True)
    )


def link(office, name) -> OfficeDistrict:
    return OfficeDistrict.objects.get(office=office, district__name=name)


def test_the_list_shows_the_districts_in_report_order_with_their_clients(signed_in):
    page = signed_in.get(INDEX).text
    assert page.index("王子地区") < page.index("赤羽地区") < page.index("滝野川地区")
    assert "13人" in page and "14人" in page and "2人" in page


def test_moving_a_district_up_changes_the_reports_order(signed_in, demo_office, supervisor):
    data = {"link": link(demo_office, "滝野川地区").pk, "direction": "up", "order": order(demo_office)}
    response = signed_in.post(MOVE, data)
    assert response.status_code == 302 and response["Location"] == INDEX
    assert names(demo_office) == ["王子地区", "滝野川地区", "赤羽地区"]
    report = signed_in.get(REPORT).text
    assert report.index("滝野川地区") < report.index("赤羽地区")
    page = signed_in.get(INDEX).text
    assert "地区：滝野川地区" in page  # the history
    assert OfficeDistrict.history.filter(office_id=demo_office.pk).latest().history_user == supervisor


def test_the_first_district_goes_no_higher(signed_in, demo_office):
    data = {"link": link(demo_office, "王子地区").pk, "direction": "up", "order": order(demo_office)}
    assert signed_in.post(MOVE, data).status_code == 302
    assert names(demo_office) == ["王子地区", "赤羽地区", "滝野川地区"]


def test_a_district_with_clients_cannot_be_removed(signed_in, demo_office):
    response = signed_in.post(REMOVE, {"link": link(demo_office, "滝野川地区").pk, "order": order(demo_office)})
    assert response.status_code == 400
    assert "「滝野川地区」には相談対象者が2人登録されているため、一覧から外せません。" in response.text
    assert "「不明」に数えられます" in response.text
    assert names(demo_office) == ["王子地区", "赤羽地区", "滝野川地区"]


def test_a_new_district_is_added_last_and_removed_again(signed_in, demo_office):
    response = signed_in.post(ADD, {"new_name": "十条地区", "district": "", "order": order(demo_office)})
    assert response.status_code == 302
    assert names(demo_office) == ["王子地区", "赤羽地区", "滝野川地区", "十条地区"]
    district = District.objects.get(name="十条地区")
    assert district.municipality == "北区"
    assert "「十条地区」を一覧の最後に追加しました。" in signed_in.get(INDEX).text
    assert "十条地区" in signed_in.get(REPORT).text
    response = signed_in.post(REMOVE, {"link": link(demo_office, "十条地区").pk, "order": order(demo_office)})
    assert response.status_code == 302
    assert names(demo_office) == ["王子地区", "赤羽地区", "滝野川地区"]
    page = signed_in.get(INDEX).text
    assert "「十条地区」を一覧から外しました。" in page
    # Registered but unlisted now: offered again.
    assert f'<option value="{district.pk}">十条地区</option>' in page
    response = signed_in.post(ADD, {"district": district.pk, "new_name": "", "order": order(demo_office)})
    assert response.status_code == 302 and names(demo_office)[-1] == "十条地区"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"district": "", "new_name": ""}, "追加する地区を選ぶか、新しい地区名を入力してください。"),
        ({"district": "", "new_name": "王子地区"}, "「王子地区」はすでに北区の地区にあります。"),
        ({"district": "", "new_name": "あ" * 51}, "地区名は50文字以内で入力してください。"),
        ({"district": "999999", "new_name": ""}, "選んだ地区は追加できません。"),
    ],
)
def test_bad_additions_get_a_japanese_message_and_change_nothing(signed_in, demo_office, data, message):
    before = (names(demo_office), District.objects.count())
    response = signed_in.post(ADD, {**data, "order": order(demo_office)})
    assert response.status_code == 400
    assert message in response.text
    assert (names(demo_office), District.objects.count()) == before


def test_a_listed_district_of_the_office_is_not_offered_nor_added(signed_in, demo_office):
    oji = link(demo_office, "王子地区").district
    response = signed_in.post(ADD, {"district": oji.pk, "new_name": "", "order": order(demo_office)})
    assert response.status_code == 400
    assert names(demo_office) == ["王子地区", "赤羽地区", "滝野川地区"]


def test_an_action_on_a_list_changed_since_it_was_read_is_refused(signed_in, demo_office):
    stale = order(demo_office)
    signed_in.post(ADD, {"new_name": "十条地区", "district": "", "order": stale})
    response = signed_in.post(MOVE, {"link": link(demo_office, "滝野川地区").pk, "direction": "up", "order": stale})
    assert response.status_code == 409
    assert "ほかの人が先に地区の一覧を変更しました。あなたの操作は保存されていません。" in response.text
    assert names(demo_office) == ["王子地区", "赤羽地区", "滝野川地区", "十条地区"]


@pytest.mark.parametrize("data", [{"link": "x", "direction": "up"}, {"link": "1", "direction": "sideways"}])
def test_a_malformed_move_gets_a_message(signed_in, demo_office, data):
    response = signed_in.post(MOVE, {**data, "order": order(demo_office)})
    assert response.status_code == 400
    assert "操作の指定が正しくありません。" in response.text


def test_a_supervisor_of_another_office_changes_nothing_here(client, supervisor, demo_office):
    other = make_office("板橋区医療的ケア児等コーディネーター事業")
    other_link = OfficeDistrict.objects.filter(office=other).first()
    client.force_login(supervisor)
    before = order(other)
    query = f"?office={other.pk}"
    assert client.post(MOVE + query, {"link": other_link.pk, "direction": "down", "order": before}).status_code == 404
    assert client.post(REMOVE + query, {"link": other_link.pk, "order": before}).status_code == 404
    assert client.post(ADD + query, {"new_name": "新地区", "district": "", "order": before}).status_code == 404
    # Without ?office= the link is looked up in the supervisor's own office, where it is not.
    response = client.post(MOVE, {"link": other_link.pk, "direction": "down", "order": order(demo_office)})
    assert response.status_code == 409
    assert order(other) == before
