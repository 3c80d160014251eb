"""The follow-up list's filters: whose, which state, in what order."""

from datetime import date

import django_filters
from django.db.models import F

from coordination.followups.models import FollowUp
from coordination.forms import with_long_selects


class FollowUpFilter(django_filters.FilterSet):
    """Mine or the office's; open, overdue, done or all; sorted by due date or done date."""

    SORTS = {
        "due": ("期限の近い順", [F("due_on").asc(nulls_last=True), "id"]),
        "-due": ("期限の遠い順", [F("due_on").desc(nulls_last=True), "-id"]),
        "-done": ("完了日の新しい順", [F("done_on").desc(nulls_last=True), "-id"]),
        "-created": ("登録の新しい順", ["-created_at", "-id"]),
    }
    WHOSE = [("mine", "自分の担当"), ("office", "事業所全体")]
    STATES = [("open", "未完了"), ("overdue", "期限切れ"), ("done", "完了"), ("all", "すべて")]
    PAGE_SIZE = 50

    whose = django_filters.ChoiceFilter(label="担当", choices=WHOSE, method="filter_whose", empty_label=None)
    state = django_filters.ChoiceFilter(label="状態", choices=STATES, method="filter_state", empty_label=None)
    sort = django_filters.ChoiceFilter(
        label="並び順", choices=[(key, label) for key, (label, _) in SORTS.items()], method="sort_by", empty_label=None
    )

    class Meta:
        model = FollowUp
        fields = []

    def __init__(self, data=None, queryset=None, *, user, today: date, **kwargs):
        # Unchosen filters take their first choice: my open follow-ups, nearest due date first.
        data = data.copy() if data is not None else {}
        for name, default in (("whose", "mine"), ("state", "open"), ("sort", "due")):
            if not data.get(name):
                data[name] = default
        super().__init__(data, queryset, **kwargs)
        self.user, self.today = user, today
        for name, label in (("whose", "担当"), ("state", "状態"), ("sort", "並び順")):
            self.form.fields[name].error_messages["invalid_choice"] = f"{label}は一覧から選んでください。"
        with_long_selects(self.form)

    def filter_whose(self, queryset, name, value):
        return queryset.filter(assignee=self.user) if value == "mine" else queryset

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "overdue":
            return queryset.overdue(self.today)
        if value == "done":
            return queryset.done()
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.SORTS[value][1])
