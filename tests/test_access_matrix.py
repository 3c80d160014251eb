"""Every URL of the project, for every role, answers as ACCESS_MATRIX in config/access.py says.

The walk is over the live URL configuration, so a view added later without an entry in the
matrix fails `test_every_url_name_is_in_the_matrix` — a new view cannot ship unguarded.
"""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from config.access import ACCESS_MATRIX, ADMIN_ENTRY, ROLES, matrix_key, matrix_markdown
from coordination.clients.models import Client, Consent
from coordination.events.models import Event
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog
from coordination.needs.models import Need
from coordination.referrals.models import Referral
from coordination.referrals.states import ReferralState
from directory.models import Provider
from reporting.models import QuarterlyReport, ReportFile, ReportVersion
from tests.coordination.need_factories import make_need

pytestmark = pytest.mark.django_db

# Django admin registers hundreds of patterns (a changelist, add, change, delete and history page
# per model, plus password and app-index pages). They are all guarded by the one AdminSite
# (`admin_view`: staff only), so the walk checks one entry, ADMIN_ENTRY, on these representatives.
ADMIN_SAMPLES = ["admin:index", "admin:accounts_office_changelist", "admin:audit_accessevent_changelist"]

# Query strings some views need to show their page rather than a choice or a default.
QUERIES = {
    "event_create": "kind=meeting",
    "reporting:quarterly": "fiscal_year=2025&quarters=1-3",
    "reporting:download": "fiscal_year=2025&quarters=1-3",
    "reporting:edit_texts": "fiscal_year=2025&quarters=1-3",
    "centre:index": "fiscal_year=2025&quarters=1-3",
    "centre:export": "fiscal_year=2025&quarters=1-3",
    "reporting:kind": "fiscal_year=2025&quarters=1-4",
    "reporting:kind_download": "fiscal_year=2025&quarters=1-4",
}
# Sample values for the converters of each URL name; `pk` comes from the demo office's objects.
ARGUMENTS = {
    "account_setup": {"uidb64": "MQ"},  # user 1 with a token never issued: the invalid-link page
    "log_export": {"file_format": "csv"},
    "referral_export": {"file_format": "csv"},
    "follow_up_export": {"file_format": "csv"},
    "need_export": {"file_format": "csv"},
    "access_log_export": {"file_format": "csv"},
    "imports:template": {"kind": "clients", "file_format": "csv"},
    "imports:preview": {"kind": "clients"},
    "imports:confirm": {"kind": "clients"},
    "imports:cancel": {"kind": "clients"},
    "directory:provider_export": {"file_format": "csv"},
    "reporting:download": {"format": "json"},
    "centre:export": {"file_format": "csv"},
    "centre:version_file": {"format": "json"},
    "reporting:kind": {"kind": "needs"},
    "reporting:kind_download": {"kind": "centre", "format": "xlsx"},
    # The sample referral is 準備中 (see sample_pk): sending it is a move its state allows.
    "referral_move": {"target": ReferralState.REQUESTED},
}
# An import token that was never issued: its pages 404 (the matrix says so) for whoever may import.
UNKNOWN_TOKEN = "never-issued-token"


def walk(patterns, namespace=""):
    """(URL name with its namespace, the pattern's converter names) for every named pattern."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", tuple(entry.pattern.converters)


def project_url_names() -> list[str]:
    return sorted({name for name, _ in walk(get_resolver().url_patterns)})


def unnamed_patterns(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from unnamed_patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif not entry.name:
            yield prefix + str(entry.pattern)


CHECKED = sorted([name for name in project_url_names() if matrix_key(name) != ADMIN_ENTRY] + ADMIN_SAMPLES)


def sample_version(office) -> ReportVersion:
    """A finalized 業務報告書 of the office (FY2025 Q1), made once: its files are only bytes here."""
    report, _ = QuarterlyReport.objects.get_or_create(
        office=office, fiscal_year=2025, first_quarter=1, last_quarter=1, defaults={"draft_open": False}
    )
    version = report.versions.first()
    if version is None:
        files = dict.fromkeys(("html", "xlsx", "pdf", "json"), b"sample")
        version = ReportVersion.objects.create(
            report=report,
            number=1,
            finalized_by=User.objects.get(username="supervisor"),
            finalized_at=timezone.now(),
            data={},
            **files,
        )
    return version


def sample_file(office) -> ReportFile:
    """A report file of the office being made by the background worker (its status only is read)."""
    file, _ = ReportFile.objects.get_or_create(
        key="sample",
        office=office,
        kind="quarterly",
        fiscal_year=2025,
        first_quarter=1,
        last_quarter=1,
        format="pdf",
        source={},
    )
    return file


def sample_pk(name: str, office) -> int:
    if name == "centre:version_file":
        return sample_version(office).pk
    if name == "reporting:file_status":
        return sample_file(office).pk
    models = {
        "client": Client,
        "log": ContactLog,
        "event": Event,
        "provider": Provider,
        "referral": Referral,
        "follow": FollowUp,
        "user": User,
        "need": Need,
    }
    model = models[name.split(":")[-1].split("_")[0]]
    queryset = model.objects.all() if model is Provider else model.objects.filter(office=office)
    if model is Need and not queryset.exists():
        # The demo has no need yet: one of the office's, found in one of its logs.
        make_need(
            office, User.objects.get(username="coordinator"), logs=list(ContactLog.objects.filter(office=office)[:1])
        )
    if model is Referral:
        # Editing and sending are offered only while 準備中.
        queryset = queryset.filter(state=ReferralState.DRAFT)
    return queryset.order_by("pk").values_list("pk", flat=True).first()


def sample_consent(office) -> Consent:
    """A consent still in force of one of the office's clients: its pages are under its client's."""
    return Consent.objects.filter(client__office=office, withdrawn_on__isnull=True).order_by("pk").first()


def url_of(name: str, office) -> str:
    converters = dict(walk(get_resolver().url_patterns))[name]
    kwargs = dict(ARGUMENTS.get(name, {}))
    for converter in converters:
        if converter == "pk" and name.startswith("consent_"):
            kwargs["pk"] = sample_consent(office).client_id
        elif converter == "consent_pk":
            kwargs["consent_pk"] = sample_consent(office).pk
        elif converter == "pk":
            kwargs["pk"] = sample_pk(name, office)
        elif converter == "log_pk":
            kwargs["log_pk"] = ContactLog.objects.filter(office=office).order_by("pk").values_list("pk", flat=True)[0]
        elif converter == "token":
            kwargs["token"] = UNKNOWN_TOKEN
    assert set(kwargs) == set(converters), f"{name}: no sample for {set(converters) - set(kwargs)}"
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{QUERIES[name]}" if name in QUERIES else url


def user_of(role: str):
    return (
        None
        if role == "anonymous"
        else User.objects.get(
            username={
                "ward_staff": "ward",
                "coordinator": "coordinator",
                "supervisor": "supervisor",
                "admin": "admin",
                "centre": "centre",
            }[role]
        )
    )


def test_every_url_name_is_in_the_matrix():
    missing = [name for name in project_url_names() if matrix_key(name) not in ACCESS_MATRIX]
    assert not missing, f"URL names without an entry in config/access.py ACCESS_MATRIX: {missing}"


def test_the_matrix_names_no_url_that_no_longer_exists():
    keys = {matrix_key(name) for name in project_url_names()}
    assert set(ACCESS_MATRIX) - keys == set()


def test_every_matrix_entry_gives_a_status_to_every_role():
    assert all(set(entry) == {*ROLES, "note"} for entry in ACCESS_MATRIX.values())


def test_every_project_url_is_named_so_the_matrix_can_cover_it():
    # Unnamed patterns would escape the matrix; only Django admin's catch-all is allowed.
    assert [p for p in unnamed_patterns(get_resolver().url_patterns) if not p.startswith("admin/")] == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", CHECKED)
def test_each_role_gets_the_status_the_matrix_gives_on_every_url(client, demo_office, name, role):
    user = user_of(role)
    if user is not None:
        client.force_login(user)
    response = client.get(url_of(name, demo_office))
    expected = ACCESS_MATRIX[matrix_key(name)][role]
    assert response.status_code == expected, f"{name} as {role}: {response.status_code}, matrix says {expected}"
    if role == "anonymous" and expected == 302:
        sign_in = reverse("admin:login") if name.startswith("admin:") else reverse("login")
        assert response["Location"].startswith(sign_in)


def test_the_matrix_in_docs_security_md_is_the_one_in_config_access_py():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "security.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- access-matrix:start -->\n(.*?)<!-- access-matrix:end -->", doc, re.S)
    assert found, "docs/security.md has no access-matrix block"
    assert found.group(1) == matrix_markdown(), "regenerate the table with `python -m config.access`"


POST_ONLY = [name for name in CHECKED if ACCESS_MATRIX[matrix_key(name)]["coordinator"] == 405 and name != "logout"]


@pytest.mark.parametrize("name", POST_ONLY)
def test_a_post_only_url_sends_anonymous_visitors_to_sign_in_and_refuses_ward_staff(
    client, demo_office, ward_staff, name
):
    url = url_of(name, demo_office)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(ward_staff)
    assert client.post(url).status_code == 403
