"""The follow-up forms: what, by when and by whom; and closing one with its outcome."""

from django import forms

from accounts.models import User
from accounts.roles import ROLE_GROUPS, Role
from coordination.forms import JapaneseDateField


def colleagues(office) -> list[User]:
    """The office's active coordinators, whom a follow-up may be assigned to (one query)."""
    return list(
        User.objects.filter(office=office, is_active=True, groups__name=ROLE_GROUPS[Role.COORDINATOR]).order_by(
            "last_name", "first_name", "username"
        )
    )


class FollowUpForm(forms.Form):
    """A follow-up's action, due date and assignee (a new one, or an edit read at `version`)."""

    action = forms.CharField(
        label="次の対応",
        max_length=200,
        error_messages={
            "required": "次の対応を入力してください。",
            "max_length": "%(limit_value)d文字以内にしてください（いま%(show_value)d文字）。",
        },
    )
    due_on = JapaneseDateField(label="対応期限", required=False)
    assignee = forms.ChoiceField(
        label="担当",
        error_messages={"required": "担当を選んでください。", "invalid_choice": "担当は一覧から選んでください。"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.colleagues = {str(user.pk): user for user in colleagues(office)}
        self.fields["assignee"].choices = [(pk, str(user)) for pk, user in self.colleagues.items()]

    @staticmethod
    def initial_for(follow_up) -> dict:
        return {
            "action": follow_up.action,
            "due_on": follow_up.due_on,
            "assignee": str(follow_up.assignee_id),
            "version": follow_up.version,
        }

    def clean_assignee(self) -> User:
        return self.colleagues[self.cleaned_data["assignee"]]


class FollowUpDoneForm(forms.Form):
    """Closing a follow-up: the day it was done and what came of it."""

    done_on = JapaneseDateField(label="完了日", not_future=True)
    outcome = forms.CharField(
        label="結果",
        max_length=300,
        error_messages={
            "required": "結果を入力してください（例：訪問看護の回数を週3回に決めた）。",
            "max_length": "%(limit_value)d文字以内にしてください（いま%(show_value)d文字）。",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "画面を開き直してください。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)


class FollowUpVersionForm(forms.Form):
    """Reopening: only the version the page was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "画面を開き直してください。"})
