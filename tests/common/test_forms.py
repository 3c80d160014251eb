from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from common.forms import add_service_errors


class NameForm(forms.Form):
    name = forms.CharField()


RowFormSet = forms.formset_factory(NameForm, extra=0)


def valid_form_and_formset():
    form = NameForm({"name": "北 花子"})
    formset = RowFormSet({"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"})
    assert form.is_valid() and formset.is_valid()
    return form, formset


def test_a_fields_message_shows_under_that_field_and_the_rest_at_the_top():
    form, formset = valid_form_and_formset()
    error = ValidationError(
        {
            "name": ["氏名が長すぎます。"],
            NON_FIELD_ERRORS: ["保存できませんでした。"],
            "guardians": ["連絡先1：続柄を入力してください。"],
        }
    )
    add_service_errors(form, error)
    assert form.errors["name"] == ["氏名が長すぎます。"]
    assert form.non_field_errors() == ["保存できませんでした。", "連絡先1：続柄を入力してください。"]


def test_a_formsets_messages_show_above_its_rows():
    form, formset = valid_form_and_formset()
    add_service_errors(
        form, ValidationError({"rows": ["相手先1：名称を入力してください。"]}), formsets={"rows": formset}
    )
    assert list(formset.non_form_errors()) == ["相手先1：名称を入力してください。"]
    assert not form.errors


def test_an_error_without_fields_shows_at_the_top():
    form, _ = valid_form_and_formset()
    add_service_errors(form, ValidationError("ほかの人が先に更新しました。"))
    assert form.non_field_errors() == ["ほかの人が先に更新しました。"]
