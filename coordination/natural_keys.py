"""What the client and log imports refer to by natural key: the office's lookups (loaded once per import) and the widgets that resolve a cell."""

import re
import unicodedata
from collections import defaultdict
from datetime import datetime, time

from django.utils.functional import cached_property
from import_export import widgets

from accounts.models import User
from common.kana import fold_for_comparison, fold_for_storage
from coordination.clients.models import Client
from coordination.logs.models import ActivityType, ContactMethod
from directory.models import CounterpartCategory, MedicalCareProcedure, Provider
from directory.selectors import office_districts
from tabular.resources import SheetImportMixin
from tabular.wareki import format_date
from tabular.widgets import DateCellWidget, TextWidget
from tabular.widgets import cell_key as _key
from tabular.widgets import cell_text as _text

PATH_SEPARATOR = " ▸ "


# Several values in one cell: one a line (Alt+Enter in Excel), or separated by ；, 、 or a comma.
_LIST_SEPARATORS = re.compile(r"[\n\r;；、,，]+")


_PATH_PARTS = re.compile(r"[▸>›]")


_SPACES = re.compile(r"\s+")


# The log columns that name its client, and its counterparts' column.
CLIENT_NAME, CLIENT_KANA, CLIENT_BIRTH_DATE = "相談対象者 氏名", "相談対象者 フリガナ", "相談対象者 生年月日"


def split_cell(value, separators=_LIST_SEPARATORS) -> list[str]:
    return [part.strip() for part in separators.split(_text(value)) if part.strip()]


class LabelIndex:
    """A category tree's leaves found by label path, or by any end of the path that is unambiguous."""

    def __init__(self, model, noun: str):
        self.noun = noun
        nodes = list(model.objects.order_by("position"))
        by_id = {node.pk: node for node in nodes}
        parents = {node.parent_id for node in nodes}

        def path(node):
            return (path(by_id[node.parent_id]) if node.parent_id else ()) + (node.label,)

        self.leaves: dict[tuple, list] = defaultdict(list)
        self.groups: dict[tuple, list] = defaultdict(list)
        self.paths = {}
        for node in nodes:
            labels = path(node)
            self.paths[node.pk] = labels
            keys = tuple(_key(label) for label in labels)
            target = self.groups if node.pk in parents else self.leaves
            for start in range(len(keys)):
                target[keys[start:]].append(node)
        # A group's first leaf, offered as an example when someone names the group itself.
        self.first_leaf_under = {}
        for node in nodes:
            if node.pk in parents:
                continue
            labels = self.paths[node.pk]
            for depth in range(1, len(labels)):
                self.first_leaf_under.setdefault(labels[:depth], node)

    def label(self, node) -> str:
        return PATH_SEPARATOR.join(self.paths[node.pk])

    def find(self, text: str):
        """The one leaf the text names; a ValueError in Japanese otherwise."""
        keys = tuple(_key(part) for part in _PATH_PARTS.split(text) if part.strip())
        matches = self.leaves.get(keys, [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            candidates = "、".join(f"「{self.label(node)}」" for node in matches)
            raise ValueError(
                f"「{text}」に当てはまる{self.noun}が複数あります（{candidates}）。上の区分から書いてください。"
            )
        groups = self.groups.get(keys, [])
        if groups:
            example = self.first_leaf_under.get(self.paths[groups[0].pk])
            hint = f"（例：「{self.label(example)}」）" if example else ""
            raise ValueError(f"「{text}」はまとめの区分です。一番下の区分を書いてください{hint}。")
        raise ValueError(f"「{text}」という{self.noun}はありません。取り込みの説明にある名称で書いてください。")


class Lookups:
    """What an import refers to by natural key, each list loaded once per import (office-scoped)."""

    def __init__(self, office):
        self.office = office

    @cached_property
    def methods(self) -> LabelIndex:
        return LabelIndex(ContactMethod, "方法")

    @cached_property
    def activity_types(self) -> LabelIndex:
        return LabelIndex(ActivityType, "種別")

    @cached_property
    def counterpart_categories(self) -> LabelIndex:
        return LabelIndex(CounterpartCategory, "相談者・相手先の区分")

    @cached_property
    def users(self) -> dict[str, list[User]]:
        index = defaultdict(list)
        for user in User.objects.filter(office=self.office, is_active=True):
            for key in {_key(user.username), _key(f"{user.last_name}{user.first_name}")}:
                if key:
                    index[key].append(user)
        return index

    @cached_property
    def clients(self) -> dict[tuple, list[Client]]:
        index = defaultdict(list)
        for client in Client.objects.for_office(self.office):
            index[client_key(client.name, client.name_kana, client.birth_date)].append(client)
        return index

    @cached_property
    def client_procedures(self) -> dict[int, list[MedicalCareProcedure]]:
        """Client id → its procedures, for every client of the office, in one query."""
        by_id = {procedure.pk: procedure for procedure in self.procedures.values()}
        index = defaultdict(list)
        links = Client.procedures.through.objects.filter(client__office=self.office)
        for client_id, procedure_id in links.values_list("client_id", "medicalcareprocedure_id"):
            index[client_id].append(by_id[procedure_id])
        return index

    @cached_property
    def district_ids(self) -> set[int]:
        return {district.pk for district in self.districts.values()}

    @cached_property
    def districts(self) -> dict[str, object]:
        index = {}
        for district in office_districts(self.office):
            index[_key(district.name)] = district
            index[_key(district.name.removesuffix("地区"))] = district
        return index

    @cached_property
    def procedures(self) -> dict[str, MedicalCareProcedure]:
        return {_key(procedure.name): procedure for procedure in MedicalCareProcedure.objects.all()}

    def user(self, text: str) -> User:
        matches = self.users.get(_key(text), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(f"「{text}」に当てはまる職員が複数います。ユーザー名で書いてください。")
        raise ValueError(
            f"「{text}」という職員はこの事業所にいません。ユーザー名か氏名（例：青木 ひかり）で書いてください。"
        )

    @cached_property
    def providers(self) -> dict[str, list[Provider]]:
        index = defaultdict(list)
        for provider in Provider.objects.only("pk", "name"):
            index[provider.name].append(provider)
        return index

    def provider(self, name: str) -> Provider | None:
        """The directory's provider of exactly this name, or None (then the name is kept as text)."""
        found = self.providers.get(name, [])
        return found[0] if len(found) == 1 else None


def client_key(name, name_kana, birth_date) -> tuple:
    """A client's natural key: names folded (width, kana, spaces) and the birth date."""
    return (fold_for_comparison(_text(name)), fold_for_comparison(_text(name_kana)), birth_date)


class LookupWidget(widgets.Widget):
    """A widget that resolves names through the import's `Lookups` (bound by the resource)."""

    lookups: Lookups | None = None


class KanaWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return fold_for_storage(_text(value))


class TimeCellWidget(widgets.Widget):
    PATTERN = re.compile(r"^(\d{1,2})(?::|時)(\d{1,2})?分?(?::\d{1,2})?$")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.time().replace(second=0, microsecond=0)
        if isinstance(value, time):
            return value.replace(second=0, microsecond=0)
        text = _SPACES.sub("", unicodedata.normalize("NFKC", _text(value)))
        if not text:
            return None
        match = self.PATTERN.match(text)
        if match and int(match[1]) < 24 and int(match[2] or 0) < 60:
            return time(int(match[1]), int(match[2] or 0))
        raise ValueError(f"「{text}」は時刻として読み取れません。「10:30」のように書いてください。")

    def render(self, value, obj=None, **kwargs):
        return f"{value.hour}:{value.minute:02d}" if value else ""


class MinutesWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value
        else:
            text = _SPACES.sub("", unicodedata.normalize("NFKC", _text(value))).removesuffix("分")
            if not text:
                return None
            try:
                number = float(text)
            except ValueError:
                raise ValueError(
                    f"「{_text(value)}」は分の数として読み取れません。「30」のように数字で書いてください。"
                ) from None
        if number != int(number) or not 0 <= number <= 1440:
            raise ValueError("所要時間は0～1440の分の数（整数）で書いてください。")
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value if value is not None else ""


class UserWidget(LookupWidget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        return self.lookups.user(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class LeafWidget(LookupWidget):
    """One leaf of a category tree by its label path."""

    def __init__(self, index: str):
        super().__init__()
        self.index = index

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        return getattr(self.lookups, self.index).find(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class LeavesWidget(widgets.ManyToManyWidget):
    """Several leaves of a category tree, one label path a line."""

    lookups: Lookups | None = None

    def __init__(self, model, index: str):
        super().__init__(model, separator="\n")
        self.index = index

    def clean(self, value, row=None, **kwargs):
        index = getattr(self.lookups, self.index)
        found = []
        for part in split_cell(value):
            node = index.find(part)
            if node not in found:
                found.append(node)
        return found

    def render(self, value, obj=None, **kwargs):
        # Reads the prefetched list when the queryset prefetched it.
        return "\n".join(str(node) for node in value.all()) if value is not None else ""


class DistrictWidget(LookupWidget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        district = self.lookups.districts.get(_key(text))
        if district is None:
            names = "・".join(d.name for d in office_districts(self.lookups.office))
            raise ValueError(
                f"「{text}」はこの事業所の地区にありません（{names}）。区外の場合は「区外の住所地」に区市町村名を書いてください。"
            )
        return district

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class ProceduresWidget(widgets.ManyToManyWidget):
    lookups: Lookups | None = None

    def __init__(self):
        super().__init__(MedicalCareProcedure, separator="、")

    def clean(self, value, row=None, **kwargs):
        found = []
        for part in split_cell(value):
            procedure = self.lookups.procedures.get(_key(part))
            if procedure is None:
                raise ValueError(
                    f"「{part}」という医療的ケアはありません。取り込みの説明にある14項目の名称で書いてください。"
                )
            if procedure not in found:
                found.append(procedure)
        return found

    def render(self, value, obj=None, **kwargs):
        return "、".join(procedure.name for procedure in value.all()) if value is not None else ""


class ClientWidget(LookupWidget):
    """The log's client from three columns: 氏名, フリガナ and 生年月日 (all blank: no client)."""

    def clean(self, value, row=None, **kwargs):
        name, kana, born = _text(value), _text(row.get(CLIENT_KANA)), row.get(CLIENT_BIRTH_DATE)
        if not (name or kana or _text(born)):
            return None
        if not name:
            raise ValueError(f"相談対象者がいる記録は「{CLIENT_NAME}」も書いてください。")
        try:
            birth_date = DateCellWidget().clean(born)
        except ValueError as error:
            raise ValueError(f"{CLIENT_BIRTH_DATE}：{error}") from None
        matches = self.lookups.clients.get(client_key(name, kana, birth_date), [])
        if len(matches) == 1:
            return matches[0]
        born_label = f"{format_date(birth_date)}生" if birth_date else "生年月日なし"
        who = f"{name}（{kana or 'フリガナなし'}、{born_label}）"
        if matches:
            raise ValueError(f"相談対象者 {who} に当てはまる人が複数います。相談対象者の画面で確かめてください。")
        raise ValueError(
            f"相談対象者 {who} が見つかりません。先に相談対象者を取り込むか、氏名・フリガナ・生年月日を確かめてください。"
        )

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class ImportResourceMixin(SheetImportMixin):
    """What both imports share: natural-key lookups for the office, saving through
    coordination.services (its rules and history); refused formula cells and errors reported by
    column come from `tabular.resources.SheetImportMixin`."""

    def __init__(self, *, office, user, sheet=None, **kwargs):
        super().__init__(sheet=sheet, **kwargs)
        self.office = office
        self.user = user
        self.lookups = Lookups(office)
        for field in self.fields.values():
            if hasattr(field.widget, "lookups"):
                field.widget.lookups = self.lookups
