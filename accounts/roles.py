"""The five roles. Four are Groups with permissions (coordination 0002_roles, reporting 0005_centre_role);
admin is a superuser. センター職員 (centre) belongs to the installation, not to an office (User.office is None):
it sees every office's counts and finalized reports, never a client, a log or a name."""

from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "コーディネーター"
    SUPERVISOR = "supervisor", "管理者"
    WARD_STAFF = "ward_staff", "区職員"
    ADMIN = "admin", "システム管理者"
    CENTRE = "centre", "センター職員"


# Group name for each group-backed role, in order of precedence when a user has several.
ROLE_GROUPS = {
    Role.SUPERVISOR: "管理者",
    Role.COORDINATOR: "コーディネーター",
    Role.WARD_STAFF: "区職員",
    Role.CENTRE: "センター職員",
}
