import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.services import model_update
from directory.models import Provider, ProviderCategory
from tests.directory.factories import make_provider

FIELDS = ("name", "category", "phone", "fax")


@pytest.fixture
def provider(db):
    return make_provider("つなぐ訪問看護ステーション", phone="03-1111-1111", fax="03-1111-1112")


def updates(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_a_new_instance_is_saved_whole(db):
    category = ProviderCategory.objects.get(code="visiting-nurse")
    provider, has_updated = model_update(
        instance=Provider(), fields=FIELDS, data={"name": "新しいステーション", "category": category, "phone": "03-2"}
    )
    assert has_updated
    saved = Provider.objects.get(pk=provider.pk)
    assert (saved.name, saved.category, saved.phone, saved.fax) == ("新しいステーション", category, "03-2", "")


def test_a_changed_field_is_saved_and_the_fields_not_given_stay(provider):
    provider, has_updated = model_update(instance=provider, fields=FIELDS, data={"phone": "03-9999-9999"})
    assert has_updated
    provider.refresh_from_db()
    assert (provider.phone, provider.fax) == ("03-9999-9999", "03-1111-1112")


def test_only_the_changed_columns_are_written_so_a_change_made_meanwhile_stays(provider):
    Provider.objects.filter(pk=provider.pk).update(fax="03-0000-0000")  # someone else, after we read it
    model_update(instance=provider, fields=FIELDS, data={"phone": "03-9999-9999", "fax": provider.fax})
    provider.refresh_from_db()
    assert (provider.phone, provider.fax) == ("03-9999-9999", "03-0000-0000")


def test_data_equal_to_what_is_saved_writes_nothing(provider):
    same = {
        "name": provider.name,
        "category": ProviderCategory.objects.get(pk=provider.category_id),
        "phone": provider.phone,
    }
    with CaptureQueriesContext(connection) as queries:
        provider, has_updated = model_update(instance=provider, fields=FIELDS, data=same)
    assert not has_updated
    assert updates(queries) == []


def test_invalid_data_raises_with_the_fields_messages_and_leaves_the_row_unchanged(provider):
    with pytest.raises(ValidationError) as raised:
        model_update(instance=provider, fields=FIELDS, data={"name": "", "phone": "03-9999-9999"})
    assert set(raised.value.message_dict) == {"name"}
    saved = Provider.objects.get(pk=provider.pk)
    assert (saved.name, saved.phone) == ("つなぐ訪問看護ステーション", "03-1111-1111")


def test_the_callers_rules_are_reported_together_with_the_models(provider):
    def no_fax(instance):
        if instance.fax:
            raise ValidationError({"fax": "FAX は使いません。"})

    with pytest.raises(ValidationError) as raised:
        model_update(instance=provider, fields=FIELDS, data={"name": "", "phone": "03-2"}, validate=no_fax)
    assert raised.value.message_dict["fax"] == ["FAX は使いません。"]
    assert "name" in raised.value.message_dict
    assert Provider.objects.get(pk=provider.pk).phone == "03-1111-1111"


def test_a_field_not_in_the_list_is_refused_rather_than_dropped(provider):
    with pytest.raises(TypeError, match="email"):
        model_update(instance=provider, fields=FIELDS, data={"email": "a@example.jp"})
    assert Provider.objects.get(pk=provider.pk).email == ""


def test_each_services_typed_fields_are_the_models_own_fields():
    from coordination.clients.models import CLIENT_FIELDS
    from coordination.clients.services import ClientFields
    from directory.models import PROVIDER_FIELDS
    from directory.services import ProviderFields

    assert set(ClientFields.__annotations__) == set(CLIENT_FIELDS)
    assert set(ProviderFields.__annotations__) == set(PROVIDER_FIELDS)
