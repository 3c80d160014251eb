"""What the list filters of clients, logs and events share."""

from collections import defaultdict

import django_filters
from django.db.models import Value

from coordination.fiscal import fiscal_year_label
from coordination.forms import JapaneseDateField

ALL = "すべて"


class JapaneseDateFilter(django_filters.Filter):
    field_class = JapaneseDateField


class TreeChoices:
    """A category tree as filter choices: every group (meaning all leaves under it) and every leaf."""

    def __init__(self, nodes: list[dict]):
        by_id = {node["id"]: node for node in nodes}
        children = defaultdict(list)
        for node in nodes:
            children[node["parent_id"]].append(node)

        def path(node):
            return (path(by_id[node["parent_id"]]) if node["parent_id"] else ()) + (node["label"],)

        def leaves(node):
            kids = children[node["id"]]
            return [node["id"]] if not kids else [pk for child in kids for pk in leaves(child)]

        self.choices = [
            (node["code"], " ▸ ".join(path(node)) + ("（すべて）" if children[node["id"]] else "")) for node in nodes
        ]
        self._leaf_ids = {node["code"]: leaves(node) for node in nodes}

    @classmethod
    def load(cls, *models) -> list["TreeChoices"]:
        """One TreeChoices per model, all read in one query (UNION ALL of the trees, each in report order)."""
        fields = ("id", "code", "label", "parent_id", "position")
        trees = [
            model.objects.order_by().annotate(tree=Value(number)).values(*fields, "tree")
            for number, model in enumerate(models)
        ]
        nodes = defaultdict(list)
        for node in trees[0].union(*trees[1:], all=True).order_by("tree", "position"):
            nodes[node["tree"]].append(node)
        return [cls(nodes[number]) for number in range(len(models))]

    def leaf_ids(self, code: str) -> list[int]:
        return self._leaf_ids.get(code, [])


def fiscal_quarter_choices(fiscal_years: list[int]) -> list[tuple[str, str]]:
    months = {1: "4～6月", 2: "7～9月", 3: "10～12月", 4: "1～3月"}
    choices = []
    for year in fiscal_years:
        choices.append((str(year), f"{fiscal_year_label(year)}（通年）"))
        choices.extend((f"{year}-{q}", f"{fiscal_year_label(year)} 第{q}四半期（{months[q]}）") for q in months)
    return choices
