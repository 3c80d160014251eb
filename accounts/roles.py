"""The four roles. Three are Groups with permissions (migration 0002_roles); admin is a superuser."""

from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "コーディネーター"
    SUPERVISOR = "supervisor", "管理者"
    WARD_STAFF = "ward_staff", "区職員"
    ADMIN = "admin", "システム管理者"


# Group name for each group-backed role, in order of precedence when a user has several.
ROLE_GROUPS = {
    Role.SUPERVISOR: "管理者",
    Role.COORDINATOR: "コーディネーター",
    Role.WARD_STAFF: "区職員",
}
