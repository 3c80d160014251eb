"""Form widgets of the directory's pages."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


class LongSelect(forms.Select):
    """A <select> whose options are written in Python, not through a template each.

    Django renders every option through two small templates; the search form's area list
    holds every district of every office (hundreds in a metropolitan centre), which made that
    one field most of the directory page's time. Same markup as `forms.Select`.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # Plain string building with conditional_escape, as format_html does it, without its call per option.
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            html = "".join(
                f'<option value="{conditional_escape(option["value"])}"{" selected" if option["selected"] else ""}>'
                f"{conditional_escape(option['label'])}</option>"
                for option in options
            )
            groups.append(
                f'<optgroup label="{conditional_escape(group_name)}">{html}</optgroup>' if group_name else html
            )
        return mark_safe(
            f'<select name="{conditional_escape(widget["name"])}"{flatatt(widget["attrs"])}>{"".join(groups)}</select>'
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
