"""The `url` tag that remembers the paths it reversed writes what Django's does."""

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_templates_use_the_remembering_url_tag():
    effective = {}
    for library in engines["django"].engine.template_builtins:  # later builtins win, as in the template parser
        effective.update(library.tags)
    assert effective["url"].__module__ == "common.template_urls"


def test_the_paths_are_djangos_every_time():
    for _ in range(2):  # the second time from memory
        for pk in (1, 2, 12345):
            assert render("{% url 'client_detail' pk %}", pk=pk) == reverse("client_detail", args=[pk])
            assert render("{% url 'client_detail' pk=pk %}", pk=pk) == reverse("client_detail", kwargs={"pk": pk})
        assert render("{% url 'client_detail' '7' %}") == reverse("client_detail", args=["7"])
        assert render("{% url 'log_list' %}") == reverse("log_list")
        assert render("{% url 'directory:provider_list' %}") == reverse("directory:provider_list")


def test_as_a_variable_and_a_failed_reverse_behave_as_djangos():
    assert render("{% url 'client_detail' 3 as link %}[{{ link }}]") == f"[{reverse('client_detail', args=[3])}]"
    assert render("{% url 'no_such_page' as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'no_such_page' %}")
    with pytest.raises(NoReverseMatch):
        render("{% url 'client_detail' 'not-a-number' %}")


def test_other_arguments_are_reversed_each_time():
    class Named:
        def __init__(self, text):
            self.text = text

        def __str__(self):
            return self.text

    value = Named("5")
    assert render("{% url 'client_detail' value %}", value=value) == reverse("client_detail", args=[5])
    value.text = "6"
    assert render("{% url 'client_detail' value %}", value=value) == reverse("client_detail", args=[6])


def test_the_script_prefix_is_part_of_the_path():
    from django.urls import set_script_prefix

    plain = render("{% url 'client_detail' 8 %}")
    set_script_prefix("/tsunagu/")
    try:
        assert render("{% url 'client_detail' 8 %}") == reverse("client_detail", args=[8]) == "/tsunagu" + plain
    finally:
        set_script_prefix("/")
    assert render("{% url 'client_detail' 8 %}") == plain
