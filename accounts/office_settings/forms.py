"""The forms of 管理 ▸ 利用者 and 事業所: labels and messages in Japanese, roles as one choice."""

from django import forms

from ..models import Office
from ..roles import Role
from ..user_services import roles_for

ROLE_HELP = {
    Role.COORDINATOR: "相談対象者・記録・つなぎを入力します。",
    Role.SUPERVISOR: "記録を確認し、報告書を確定し、この「管理」で利用者と事業所の設定を行います。",
    Role.WARD_STAFF: "社会資源の一覧を見ます。相談対象者の情報は見られません。",
    Role.ADMIN: "すべての事業所の利用者と設定を管理します。",
}


class RoleField(forms.TypedChoiceField):
    widget = forms.RadioSelect

    def __init__(self, *, editor, **kwargs):
        choices = [(role.value, f"{role.label}：{ROLE_HELP[role]}") for role in roles_for(editor)]
        super().__init__(choices=choices, coerce=Role, label="役割", **kwargs)


class _UserFields(forms.Form):
    last_name = forms.CharField(label="姓", max_length=150, error_messages={"required": "姓を入力してください。"})
    first_name = forms.CharField(label="名", max_length=150, required=False)
    email = forms.EmailField(
        label="メールアドレス",
        required=False,
        help_text="任意。連絡用で、ログインには使いません。",
        error_messages={"invalid": "メールアドレスの形が正しくありません（例：aoki@example.jp）。"},
    )

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = RoleField(editor=editor, error_messages={"required": "役割を選んでください。"})


class UserCreateForm(_UserFields):
    username = forms.CharField(
        label="ユーザー名",
        max_length=150,
        help_text="ログインに使います（例：aoki）。文字・数字と @ . + - _ が使えます。あとから変更できません。",
        error_messages={"required": "ユーザー名を入力してください。"},
    )
    field_order = ["last_name", "first_name", "username", "email", "role"]


class UserEditForm(_UserFields):
    # The version the editor read (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user, own, **kwargs):
        super().__init__(*args, **kwargs)
        if own:
            # One's own role is not changed here: the field shows it but is not sent.
            self.fields["role"].disabled = True
            self.fields["role"].help_text = "自分自身の役割は変更できません。"
        role = user.role
        if role is not None and role.value not in dict(self.fields["role"].choices):
            self.fields["role"].choices = [*self.fields["role"].choices, (role.value, role.label)]
        self.initial.update(
            last_name=user.last_name,
            first_name=user.first_name,
            email=user.email,
            role=role.value if role else None,
            version=user.version,
        )


class VersionForm(forms.Form):
    """A confirmation: only the version the user's page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AuthenticatorResetForm(VersionForm):
    reason = forms.CharField(
        label="リセットの理由",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="例：スマートフォンを機種変更したため。利用者の変更履歴に残ります。",
        error_messages={"required": "リセットの理由を入力してください。"},
    )


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ["name", "municipality"]
        help_texts = {"name": "例：北区医療的ケア児等コーディネーター事業", "municipality": "例：北区"}
        error_messages = {
            "name": {"required": "事業所名を入力してください。", "unique": "同じ名前の事業所がすでにあります。"},
            "municipality": {"required": "区市町村を入力してください。"},
        }

    def validate_unique(self):
        """The service checks the name (one message, whoever calls)."""
