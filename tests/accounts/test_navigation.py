"""The header's menu: each role sees the pages it may open, in one order, whichever app adds them."""

import pytest

from accounts.models import User
from accounts.navigation import menu_for, register_menu_item

pytestmark = pytest.mark.django_db


def labels(user) -> list[str]:
    return [label for label, _ in menu_for(user)]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (
            "coordinator",
            [
                "ホーム",
                "相談対象者",
                "記録の一覧",
                "つなぎ",
                "次の対応",
                "ニーズ・課題",
                "周知活動・会議・研修",
                "機関・事業所を探す",
                "業務報告書",
            ],
        ),
        (
            "supervisor",
            [
                "ホーム",
                "相談対象者",
                "記録の一覧",
                "つなぎ",
                "次の対応",
                "ニーズ・課題",
                "周知活動・会議・研修",
                "機関・事業所を探す",
                "業務報告書",
                "管理",
                "アクセス記録",
            ],
        ),
        ("ward", ["ホーム", "機関・事業所を探す"]),
        (
            "admin",
            [
                "ホーム",
                "相談対象者",
                "記録の一覧",
                "つなぎ",
                "次の対応",
                "ニーズ・課題",
                "周知活動・会議・研修",
                "業務報告書",
                "事業所別集計",
                "管理",
                "管理サイト",
                "アクセス記録",
            ],
        ),
        # センター職員: no office, so nothing of one; its own page of every office's figures.
        ("centre", ["ホーム", "事業所別集計"]),
    ],
)
def test_each_role_sees_its_pages_in_order(demo_office, username, expected):
    assert labels(User.objects.get(username=username)) == expected


def test_a_user_without_a_role_sees_only_home(demo_office):
    nobody = User.objects.create_user("nobody", password="x" * 16, office=demo_office)
    assert menu_for(nobody) == [("ホーム", "/")]


def test_the_menu_is_on_every_page_with_its_links(client, demo_office):
    client.force_login(User.objects.get(username="ward"))
    html = client.get("/directory/").content.decode()
    assert 'href="/directory/"' in html and "機関・事業所を探す" in html
    assert "相談対象者" not in html


def test_an_entry_needs_someone_to_show_it_to():
    with pytest.raises(ValueError):
        register_menu_item(99, "だれにも", "home")
