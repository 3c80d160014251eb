"""Form widgets of the directory's pages."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class LongSelect(forms.Select):
    """A <select> whose options are written in Python, not through a template each.

    Django renders every option through two small templates; the search form's area list
    holds every district of every office (hundreds in a metropolitan centre), which made that
    one field most of the directory page's time. Same markup as `forms.Select`.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((option["value"], " selected" if option["selected"] else "", option["label"]) for option in options),
            )
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, html) if group_name else html)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", "{}", ((g,) for g in groups)),
        )


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes whose <input> tags are written in Python, not through three templates each.

    The search form's 14 procedures are rendered one box at a time (`{{ box.tag }}`), and each
    went through Django's option, input and attrs templates. Same markup as
    `forms.CheckboxSelectMultiple` (tests/directory/test_widgets.py compares them).
    """

    def _render(self, template_name, context, renderer=None):
        if template_name != self.option_template_name:
            return super()._render(template_name, context, renderer)
        widget = context["widget"]
        value = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
        tag = format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], value, flatatt(widget["attrs"])
        )
        if not widget.get("wrap_label"):
            return tag
        label_for = format_html(' for="{}"', widget["attrs"]["id"]) if widget["attrs"].get("id") else ""
        return format_html("<label{}>{} {}</label>", label_for, tag, widget["label"])
