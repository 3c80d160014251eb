"""Hostile input never makes a 500: the fixes of issue 13 (point 7), then a walk of every page.

The walk (`test_no_hostile_query_string_makes_a_500`, `test_no_hostile_form_value_makes_a_500`)
sends every URL × role query strings with NUL, huge and negative numbers, lone surrogates and
10,000 characters, and posts such values into every field of every form. A page may refuse
(400/403/404/405/409/422) or show a form error; only a 500 fails.
"""

import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, parse_qsl, quote, urlsplit

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from config.access import ROLES
from coordination.clients.models import Client
from coordination.logs.models import ContactLog
from tests.coordination.test_log_views import form_data as log_form_data
from tests.test_access_matrix import CHECKED, url_of

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # above 2**64: no integer column holds it
HUGE_23 = "99999999999999999999999"


# --- the fixes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/lookups/clients/?q=%00", "/lookups/providers/?q=%00", "/logs/?q=a%00b"])
def test_a_nul_in_a_query_string_gets_the_japanese_400_page(client, coordinator, url):
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 400
    assert "要求を処理できません" in response.content.decode()


def test_a_nul_in_a_form_value_or_name_gets_the_400_page_and_saves_nothing(client, coordinator, demo_office):
    from directory.models import Provider

    client.force_login(coordinator)
    provider = Provider.objects.order_by("pk").first()
    count = ContactLog.objects.count()
    client_pk = Client.objects.filter(office=demo_office).order_by("pk").values_list("pk", flat=True).first()
    for data in (
        log_form_data(client_pk, provider, report_summary="退院\x00"),
        {**log_form_data(client_pk, provider), "x\x00": "1"},
    ):
        response = client.post(reverse("log_create"), data)
        assert response.status_code == 400
        assert "要求を処理できません" in response.content.decode()
    assert ContactLog.objects.count() == count


@pytest.mark.parametrize("provider_id", [HUGE, "-" + HUGE])
def test_a_picked_provider_id_no_column_can_hold_is_a_form_error_that_saves_nothing(
    client, coordinator, demo_office, provider_id
):
    from directory.models import Provider

    client.force_login(coordinator)
    provider = Provider.objects.order_by("pk").first()
    client_pk = Client.objects.filter(office=demo_office).order_by("pk").values_list("pk", flat=True).first()
    count = ContactLog.objects.count()
    data = log_form_data(client_pk, provider, **{"counterparts-1-provider": provider_id})
    response = client.post(reverse("log_create"), data)
    assert response.status_code == 200
    assert "選んだ機関・事業所が見つかりません" in response.content.decode()
    assert ContactLog.objects.count() == count


def test_an_in_lookup_with_a_number_no_column_can_hold_finds_nothing_instead_of_failing():
    from directory.models import Provider

    first = Provider.objects.order_by("pk").first()
    assert list(Provider.objects.filter(pk__in=[int(HUGE)])) == []
    assert list(Provider.objects.filter(pk__in=[-int(HUGE), first.pk])) == [first]


@pytest.mark.parametrize(
    "query",
    [
        f"office__id__exact={HUGE_23}",
        f"date__year={HUGE_23}",
        f"date__year=2025&date__month={HUGE_23}",
        f"date__year=2025&date__month=4&date__day={HUGE_23}",
        f"office__id__exact=-{HUGE_23}",
    ],
)
def test_an_admin_filter_with_a_number_no_date_or_column_can_hold_is_not_a_500(client, admin_user, query):
    client.force_login(admin_user)
    # An office's closure days: a list filter by office and a date hierarchy (personal data is not in the admin).
    response = client.get(f"/admin/accounts/officecalendarday/?{query}")
    assert response.status_code in (200, 302, 400)
    if response.status_code == 400:
        assert "要求を処理できません" in response.content.decode()


# --- the walk -----------------------------------------------------------------------------------------

# Every named URL the access matrix walks (with its sample ids and query) and the admin changelist
# of every registered model, for every role.
WALKED = sorted(
    {
        *CHECKED,
        *(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist" for model in admin.site._registry),
    }
)
ROLE_USERNAMES = {
    "ward_staff": "ward",
    "coordinator": "coordinator",
    "supervisor": "supervisor",
    "admin": "admin",
    "centre": "centre",
}

SURROGATE = "\udc80"  # written into a body or query string as the bytes %ED%A0%80 (a lone surrogate in UTF-8)
HOSTILE = {
    "nul": "a\x00b",
    "huge": HUGE,
    "negative": "-" + HUGE,
    "surrogate": SURROGATE,
    "long": "9" * 10_000,
}
# The values each parameter gets on its own (the others come with every parameter at once): the
# ones that reach the database or a parser (a number no column holds, a text no field takes).
ALONE = ("huge", "long")
# Parameters a page may read without showing them in a link or a form of its own.
GENERIC_PARAMETERS = {"q", "page", "sort", "o", "p", "e", "history", "version", "date", "client", "kind", "next"}
# Statuses a page may answer to hostile input; 500 is never one.
ACCEPTABLE = {200, 204, 301, 302, 303, 400, 403, 404, 405, 409, 422}
FORM_TYPES_SKIPPED = {"submit", "button", "image", "reset", "file"}

requests_made = {"query": 0, "form": 0}


class PageParser(HTMLParser):
    """The query parameter names a page offers (GET forms, links) and its POST forms with their values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parameters: set[str] = set()
        self.post_forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "?" in (attrs.get("href") or ""):
            self.parameters |= set(parse_qs(urlsplit(attrs["href"]).query, keep_blank_values=True))
        elif tag == "form":
            post = (attrs.get("method") or "get").lower() == "post"
            self._form = {"action": attrs.get("action") or "", "post": post, "fields": []}
            if post:
                self.post_forms.append(self._form)
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input" and (attrs.get("type") or "text").lower() not in FORM_TYPES_SKIPPED:
            kind = (attrs.get("type") or "text").lower()
            if kind not in ("checkbox", "radio") or "checked" in attrs:
                self._field(attrs["name"], attrs.get("value") or "")
            elif kind in ("checkbox", "radio"):
                self._field(attrs["name"], None)  # a name the walk fills, left out of the base form
        elif tag in ("input", "button") and attrs.get("type", "submit") == "submit" and attrs.get("name"):
            self._field(attrs["name"], None)
        elif tag == "select":
            self._select = {"name": attrs["name"], "value": None}
        elif tag == "textarea":
            self._textarea = {"name": attrs["name"], "value": ""}
        if tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            if self._select["value"] is None or "selected" in attrs:
                self._select["value"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self._field(self._select["name"], self._select["value"] or "")
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._field(self._textarea["name"], self._textarea["value"])
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def _field(self, name, value):
        if self._form is None:
            return
        if self._form["post"]:
            self._form["fields"].append((name, value))
        else:
            self.parameters.add(name)


def parsed(response) -> PageParser:
    parser = PageParser()
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        parser.feed(response.content.decode())
    return parser


def encoded(pairs) -> str:
    """URL-encoded pairs; a lone surrogate becomes its UTF-8-style bytes, which no codec would write."""
    return "&".join(
        f"{quote(name, safe='')}={quote(value.replace(SURROGATE, 'SURROGATE'), safe='')}" for name, value in pairs
    ).replace("SURROGATE", "%ED%A0%80")


def signed_in(client, role):
    client.raise_request_exception = True
    if role != "anonymous":
        client.force_login(User.objects.get(username=ROLE_USERNAMES[role]))
    return client


def date_hierarchy_queries(name) -> list[str]:
    """For an admin changelist with a date hierarchy, its month and day drilled under a real year."""
    if not name.startswith("admin:") or not name.endswith("_changelist"):
        return []
    field = next(
        (a.date_hierarchy for m, a in admin.site._registry.items() if name == _changelist(m) and a.date_hierarchy),
        None,
    )
    if not field:
        return []
    return [
        f"{field}__year=2025&{field}__month={{}}",
        f"{field}__year=2025&{field}__month=4&{field}__day={{}}",
        f"{field}__year={{}}&{field}__month=4&{field}__day=1",
    ]


def _changelist(model) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"


def address(name, office) -> str:
    return url_of(name, office) if not name.endswith("_changelist") or name in CHECKED else reverse(name)


@pytest.fixture(scope="module", autouse=True)
def report_the_walks_size():
    started = time.monotonic()
    yield
    print(
        f"\nhostile-input walk: {requests_made['query']} query-string requests, {requests_made['form']} form posts,"
        f" {time.monotonic() - started:.1f} s"
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", WALKED)
def test_no_hostile_query_string_makes_a_500(client, demo_office, name, role):
    signed_in(client, role)
    url = address(name, demo_office)
    path, _, base_query = url.partition("?")
    base = parse_qsl(base_query, keep_blank_values=True)
    page = client.get(url)
    parameters = sorted(parsed(page).parameters | GENERIC_PARAMETERS | {key for key, _ in base})
    queries = []
    # A page the role may not open is refused before its query string is read: one try is enough.
    hostile = HOSTILE.items() if page.status_code == 200 else list(HOSTILE.items())[:1]
    for kind, value in hostile:
        # Every parameter at once; then, as the admin (who sees every page), each on its own: a filter
        # form refusing one value could otherwise keep another from reaching the database.
        queries.append(encoded([*base, *((p, value) for p in parameters)]))
        if page.status_code == 200 and role == "admin" and kind in ALONE:
            for parameter in parameters:
                queries.append(encoded([*((k, v) for k, v in base if k != parameter), (parameter, value)]))
            queries += [template.format(encoded([("", value)])[1:]) for template in date_hierarchy_queries(name)]
    failures = []
    for query in queries:
        status = client.get(f"{path}?{query}").status_code
        requests_made["query"] += 1
        if status not in ACCEPTABLE:
            failures.append((status, query[:120]))
    assert not failures, failures


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", WALKED)
def test_no_hostile_form_value_makes_a_500(client, demo_office, name, role):
    signed_in(client, role)
    url = address(name, demo_office)
    page = client.get(url)
    forms = [form for form in parsed(page).post_forms if form["action"] != reverse("logout")]
    failures = []
    for form in forms:
        target = form["action"] or url
        base = [(field, value) for field, value in form["fields"] if value is not None]
        names = list(dict.fromkeys(field for field, _ in form["fields"]))
        variants = []
        for kind, value in [*HOSTILE.items(), ("blank", ""), ("spaces", "   "), ("missing", None)]:
            # Every field at once; then, as the admin (who may post every form), each field on its own
            # with a number no column holds (it reaches a lookup only when its siblings are valid) and
            # without it; the other values meet the same guards, field by field, at once.
            variants.append([] if value is None else [(name, value) for name in names])
            if role == "admin" and kind in ("huge", "missing"):
                for field in names:
                    others = [(k, v) for k, v in base if k != field]
                    variants.append(others if value is None else [*others, (field, value)])
        for pairs in variants:
            response = client.post(target, encoded(pairs), content_type="application/x-www-form-urlencoded")
            requests_made["form"] += 1
            if response.status_code not in ACCEPTABLE:
                failures.append((response.status_code, target, encoded(pairs)[:200]))
    assert not failures, failures


@pytest.mark.parametrize("version", ["9" * 10_000, "²"])
def test_a_report_version_no_number_can_be_is_not_a_500(client, coordinator, version):
    client.force_login(coordinator)
    response = client.get(f"/reports/quarterly/download/json/?fiscal_year=2025&quarters=1-3&version={version}")
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("count", ["abc", "9" * 10_000])
def test_adding_a_counterpart_row_to_a_hand_made_count_is_not_a_500(client, coordinator, demo_office, count):
    from directory.models import Provider

    client.force_login(coordinator)
    client_pk = Client.objects.filter(office=demo_office).order_by("pk").values_list("pk", flat=True).first()
    data = log_form_data(client_pk, Provider.objects.order_by("pk").first(), add_counterpart="1")
    data["counterparts-TOTAL_FORMS"] = count
    del data["save"]
    assert client.post(reverse("log_create"), data).status_code == 200


def test_verifying_with_a_next_address_that_is_a_bare_word_is_not_a_500(client, coordinator):
    from directory.models import Provider

    client.force_login(coordinator)
    provider = Provider.objects.order_by("pk").first()
    response = client.post(reverse("directory:provider_verify", args=[provider.pk]), {"next": HUGE})
    assert response.status_code == 302


def test_a_user_name_longer_than_any_is_refused_on_the_sign_in_form_and_not_counted(client):
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "9" * 10_000, "password": "x"})
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
