"""Small factories for the needs register tests."""

from datetime import date

from accounts.models import Office, User
from coordination.logs.models import ContactLog
from coordination.needs.models import Need, NeedCategory
from coordination.needs.services import need_create

START = date(2025, 4, 1)


def a_category(code: str = "respite") -> NeedCategory:
    return NeedCategory.objects.get(code=code)


def make_need(office: Office, user: User, *, logs: list[ContactLog] = (), title="夜間のレスパイト先が足りない") -> Need:
    return need_create(
        office=office,
        created_by=user,
        title=title,
        category=a_category(),
        description="短期入所の空きがなく、夜間に休めない家庭が多い",
        life_stages=["preschool"],
        logs=list(logs),
        on=START,
    ).need
