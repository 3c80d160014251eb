"""The directory's own widgets write the markup Django's would."""

import re
from html.parser import HTMLParser

from django import forms

from directory.widgets import CheckboxList, LongSelect

CHOICES = [
    ("", "すべて"),
    ("地区", [("district:1", "王子 <&>"), ("district:2", "赤羽")]),
    ("区市町村", [("city:北区", "北区")]),
]


class _Elements(HTMLParser):
    """The markup as a list of tags (attributes in any order) and texts, whitespace aside."""

    def __init__(self):
        super().__init__()
        self.items = []

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, sorted(attrs, key=lambda pair: pair[0])))

    def handle_endtag(self, tag):
        self.items.append(("/" + tag,))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", data.strip()))


def _markup(html: str) -> list:
    parser = _Elements()
    parser.feed(html)
    return parser.items


def test_the_long_select_writes_the_same_options_groups_and_selection_as_djangos_select():
    attrs = {"id": "id_area", "aria-describedby": "area-help"}
    for value in ["", "district:2", "city:北区", None]:
        ours = LongSelect(choices=CHOICES).render("area", value, attrs)
        djangos = forms.Select(choices=CHOICES).render("area", value, attrs)
        assert _markup(ours) == _markup(djangos)
    assert "王子 &lt;&amp;&gt;" in LongSelect(choices=CHOICES).render("area", "", attrs)


def test_the_directory_search_form_keeps_the_chosen_area_selected(client, ward_staff):
    client.force_login(ward_staff)
    page = client.get("/directory/", {"area": "city:北区"}).content.decode()
    assert re.search(r'<option value="city:北区" selected>北区</option>', page)


BOXES = [("ventilator", "人工呼吸器"), ("suction", "吸引 <&>"), ("tube-feeding", "経管栄養")]


def test_the_checkbox_list_writes_the_same_boxes_and_ticks_as_djangos():
    attrs = {"id": "id_procedure", "class": "check"}
    for value in [[], ["suction"], ["ventilator", "tube-feeding"], None]:
        ours = CheckboxList(choices=BOXES).render("procedure", value, attrs)
        djangos = forms.CheckboxSelectMultiple(choices=BOXES).render("procedure", value, attrs)
        assert _markup(ours) == _markup(djangos)
        # One box at a time, as the search form writes them ({{ box.tag }} and the label beside it).
        field = forms.MultipleChoiceField(choices=BOXES, widget=CheckboxList, required=False)
        reference = forms.MultipleChoiceField(choices=BOXES, widget=forms.CheckboxSelectMultiple, required=False)

        class Form(forms.Form):
            ours_field = field
            djangos_field = reference

        form = Form({"ours_field": value or [], "djangos_field": value or []})
        for mine, theirs in zip(form["ours_field"], form["djangos_field"], strict=True):
            assert _markup(mine.tag().replace("ours_field", "x")) == _markup(theirs.tag().replace("djangos_field", "x"))
            assert _markup(str(mine).replace("ours_field", "x")) == _markup(str(theirs).replace("djangos_field", "x"))
    assert "吸引 &lt;&amp;&gt;" in CheckboxList(choices=BOXES).render("procedure", [], attrs)


def test_the_directory_search_form_keeps_the_ticked_procedures_and_the_chosen_category(client, ward_staff):
    client.force_login(ward_staff)
    page = client.get("/directory/", {"procedure": ["suction"], "category": "visiting-nurse"}).content.decode()
    assert re.search(r'<input type="checkbox" name="procedure" value="suction" id="id_procedure_\d+" checked>', page)
    assert not re.search(r'value="ventilator"[^>]*checked', page)
    assert re.search(r'<option value="visiting-nurse" selected>', page)
