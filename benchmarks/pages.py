"""Benchmark: the server time of every page a user opens, at the office with the most clients.

    DATABASE_URL=postgres://…/tsunagu_scale .venv/bin/python -m benchmarks.pages [--runs 20]
    DATABASE_URL=… .venv/bin/python -m benchmarks.pages --profile log_list

Measures an already-filled database (benchmarks.scale, or the shared benchmark data set); it
generates nothing. The office with the most clients is taken; its coordinator, supervisor and
ward staff are signed in with Django's test Client (force_login, and a confirmed authenticator in
the session, as two-factor sign-in leaves it) with DEBUG off. Each page is requested `--warm-up`
times, then `--runs` times: the median and 95th percentile of the wall time (middleware, view,
queries, template), the median CPU time of this process, one run's query count and the HTML size.

The page list is built from the URL names of config/access.py: every name is measured or listed in
SKIPPED with the reason (files, POST-only, other users' pages). The objects are the office's own:
the client with the most logs, the latest log, follow-up, event, need and referral. An object the
data set lacks (the scale generator makes no referrals or needs) is made for the run.

Everything runs in one transaction that is rolled back at the end: the access log rows and
sessions the pages write, and any object made for the run, are not kept. Prints a table; asserts
nothing.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date

# URL names of config/access.py that are not pages a user of an office opens, with the reason.
SKIPPED = {
    "healthz": "monitor probe",
    "login": "anonymous",
    "logout": "POST only",
    "mfa_setup": "sign-in step",
    "mfa_verify": "sign-in step",
    "account_setup": "one-time link",
    "admin:*": "Django admin",
    "log_export": "file",
    "follow_up_export": "file",
    "follow_up_done": "POST only",
    "follow_up_reopen": "POST only",
    "need_export": "file",
    "need_move": "POST only",
    "referral_export": "file",
    "imports:template": "file",
    "imports:preview": "needs an uploaded file",
    "imports:confirm": "POST only",
    "imports:cancel": "POST only",
    "directory:provider_verify": "POST only",
    "directory:provider_export": "file",
    "directory:provider_hsds_export": "file",
    "reporting:download": "file (the worker lane's)",
    "reporting:finalize": "POST only",
    "reporting:open_draft": "POST only",
    "reporting:kind_download": "file",
    "office_settings:office_list": "system admin only",
    "office_settings:office_create": "system admin only",
    "district_settings:add": "POST only",
    "district_settings:move": "POST only",
    "district_settings:remove": "POST only",
    "audit:event_list": "system admin only",
    "access_log_export": "file",
    "centre:index": "the centre's (benchmarks.centre)",
    "centre:export": "file",
    "centre:version_file": "file",
}
# Measured when the office has one (a consent not withdrawn, an open follow-up); else left out, said so.
NEEDS_AN_OBJECT = {"consent_withdraw": "consent", "follow_up_update": "follow_up"}
QUARTERS = "fiscal_year=2025&quarters=1-3"


@dataclass
class Page:
    label: str
    url_name: str
    role: str  # coordinator, supervisor or ward_staff
    args: tuple = ()
    query: str = ""
    path: str = ""
    times: list = field(default_factory=list)
    cpu: list = field(default_factory=list)
    queries: int = 0
    size: int = 0
    status: int = 0

    def url(self) -> str:
        from django.urls import reverse

        path = reverse(self.url_name, args=self.args)
        return f"{path}?{self.query}" if self.query else path


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # as in production: no query log kept in memory
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("TSUNAGU_DEMO", "1")  # the demo's offices may be among the data set's
    os.environ.setdefault("TSUNAGU_REQUIRE_MFA", "1")  # as in production: the OTP middleware checks the device
    import django

    django.setup()


def largest_office():
    from django.db.models import Count

    from accounts.models import Office

    return Office.objects.annotate(n=Count("clients")).order_by("-n", "pk").first()


def member(office, role):
    from accounts.models import User
    from accounts.roles import ROLE_GROUPS

    user = User.objects.filter(office=office, is_active=True, groups__name=ROLE_GROUPS[role]).order_by("pk").first()
    if user is None:
        raise SystemExit(f"{office} has no active {role}: fill the database first (benchmarks.scale).")
    return user


def signed_in(user):
    """A test Client signed in as `user` with a confirmed authenticator, as after the two-factor step."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="benchmark", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def sample_objects(office, coordinator, supervisor) -> dict:
    """The office's own objects to open; what the data set lacks is made (rolled back at the end)."""
    from django.db import connection
    from django.db.models import Count

    from coordination.clients.models import Client, Consent
    from coordination.events.models import Event
    from coordination.events.services import event_create
    from coordination.followups.models import FollowUp
    from coordination.logs.models import ContactLog
    from coordination.needs.models import Need, NeedCategory, NeedNote
    from coordination.needs.services import need_create
    from coordination.referrals.models import Referral, ReferralStep
    from coordination.referrals.services import referral_create
    from coordination.referrals.states import ReferralState
    from directory.models import Provider

    busiest = (
        ContactLog.objects.filter(office=office, client__isnull=False)
        .values("client")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    client = Client.objects.get(pk=busiest["client"])
    log = (
        ContactLog.objects.filter(office=office, client=client)
        .annotate(n=Count("counterparts"))
        .filter(n__gte=1)
        .order_by("-occurred_on", "-pk")
        .first()
    )
    follow_up = FollowUp.objects.filter(office=office, done_on__isnull=True).order_by("-pk").first()
    # A provider with a full acceptance matrix, as most are.
    provider = Provider.objects.filter(is_active=True).order_by("pk").first()
    made = []
    event = Event.objects.filter(office=office).order_by("-pk").first()
    if event is None:
        event = event_create(
            office=office, user=coordinator, kind="meeting", name="支援会議", held_on=date(2026, 11, 1)
        )
        made.append("event")
    need = Need.objects.filter(office=office).order_by("-pk").first()
    if need is None:
        need = need_create(
            office=office,
            created_by=coordinator,
            title="放課後の預け先が足りない",
            category=NeedCategory.objects.order_by("pk").first(),
            logs=[log],
        ).need
        made.append("need")
    referral = Referral.objects.filter(office=office, state=ReferralState.DRAFT).order_by("-pk").first()
    if referral is None:
        referral = referral_create(
            office=office,
            created_by=coordinator,
            client=client,
            purpose="訪問看護の利用の相談",
            coordinator=coordinator,
            provider=provider,
        )
        made.append("referral")
    if made and connection.vendor == "postgresql":
        # The planner's statistics of the tables just written (in this transaction, rolled back with it): without
        # them a need's one link to a recent log made PostgreSQL walk the log table's primary key (0.2 → 270 ms).
        tables = [Event, Need, Need.logs.through, NeedNote, Referral, ReferralStep]
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    consent = Consent.objects.filter(client__office=office, withdrawn_on__isnull=True).order_by("-pk").first()
    return {
        "client": client,
        "log": log,
        "follow_up": follow_up,
        "event": event,
        "need": need,
        "referral": referral,
        "consent": consent,
        "provider": provider,
        "made": made,
        "coordinator": coordinator,
        "supervisor": supervisor,
    }


def page_list(objects) -> list[Page]:
    client, log, provider = objects["client"], objects["log"], objects["provider"]
    kana = client.name_kana[:2]  # the start of a surname's reading: a search with many hits
    C, S, W = "coordinator", "supervisor", "ward_staff"
    pages = [
        Page("home (coordinator)", "home", C),
        Page("home (supervisor)", "home", S),
        Page("home (ward staff)", "home", W),
        Page("client list", "client_list", C),
        Page("client list, search", "client_list", C, query=f"q={kana}"),
        Page("client list, electricity", "client_power_list", C),
        Page("client page (busiest)", "client_detail", C, (client.pk,)),
        Page("client form (new)", "client_create", C),
        Page("client form (edit)", "client_update", C, (client.pk,)),
        Page("client lookup", "client_lookup", C, query=f"q={kana}"),
        Page("consent form", "consent_create", C, (client.pk,)),
        Page("log list", "log_list", C),
        Page("log list, client's logs", "log_list", C, query=f"client={client.pk}"),
        Page("log list, quarter+method", "log_list", C, query="quarter=2025-1&method=phone"),
        Page("log list, keyword", "log_list", C, query="q=訪問"),
        Page("log form (new)", "log_create", C),
        Page("log page", "log_detail", C, (log.pk,)),
        Page("log form (edit)", "log_update", C, (log.pk,)),
        Page("follow-ups", "follow_up_list", C),
        Page("follow-up form (new)", "follow_up_create", C, query=f"client={client.pk}"),
        Page("events", "event_list", C),
        Page("event form (new)", "event_create", C, query="kind=meeting"),
        Page("event page", "event_detail", C, (objects["event"].pk,)),
        Page("event form (edit)", "event_update", C, (objects["event"].pk,)),
        Page("needs", "need_list", C),
        Page("need form (new)", "need_create", C),
        Page("need page", "need_detail", C, (objects["need"].pk,)),
        Page("need form (edit)", "need_update", C, (objects["need"].pk,)),
        Page("need from a log", "need_from_log", C, (log.pk,)),
        Page("referrals", "referral_list", C),
        Page("referral form (new)", "referral_create", C, query=f"client={client.pk}"),
        Page("referral page", "referral_detail", C, (objects["referral"].pk,)),
        Page("referral form (edit)", "referral_update", C, (objects["referral"].pk,)),
        Page("referral move (send)", "referral_move", C, (objects["referral"].pk, "requested")),
        Page("referral override", "referral_override", S, (objects["referral"].pk,)),
        Page("imports", "imports:start", C),
        Page("provider lookup", "provider_lookup", C, query="q=訪問"),
        Page("directory search", "directory:provider_list", W),
        Page("directory search, word", "directory:provider_list", W, query="q=あおば"),
        Page("provider page", "directory:provider_detail", C, (provider.pk,)),
        Page("provider form (edit)", "directory:provider_update", C, (provider.pk,)),
        Page("provider form (new)", "directory:provider_create", C),
        Page("providers to re-check", "directory:provider_reverify_list", W),
        Page("report page", "reporting:quarterly", C, query=QUARTERS),
        Page("report texts", "reporting:edit_texts", S, query=QUARTERS),
        Page("report: 受付状況", "reporting:kind", C, ("centre",), query="fiscal_year=2025&quarters=1-4"),
        Page("report: 課題解決状況", "reporting:kind", C, ("needs",), query="fiscal_year=2025&quarters=1-4"),
        Page("settings", "office_settings:index", S),
        Page("users", "office_settings:user_list", S),
        Page("user form (new)", "office_settings:user_create", S),
        Page("user page", "office_settings:user_detail", S, (objects["coordinator"].pk,)),
        Page("user form (edit)", "office_settings:user_update", S, (objects["coordinator"].pk,)),
        Page("user deactivate", "office_settings:user_deactivate", S, (objects["coordinator"].pk,)),
        Page("user reactivate", "office_settings:user_reactivate", S, (objects["coordinator"].pk,)),
        Page("user unlock", "office_settings:user_unlock", S, (objects["coordinator"].pk,)),
        Page("authenticator reset", "office_settings:user_authenticator_reset", S, (objects["coordinator"].pk,)),
        Page("set-up link", "office_settings:user_setup_link", S, (objects["coordinator"].pk,)),
        Page("calendar", "office_calendar:calendar", S),
        Page("opening hours", "office_calendar:hours", S),
        Page("office (report header)", "office_calendar:office", S),
        Page("districts", "district_settings:index", S),
        Page("access log", "access_log", S),
        Page("password change", "password_change", C),
    ]
    if objects["follow_up"] is not None:
        pages.insert(19, Page("follow-up form (edit)", "follow_up_update", C, (objects["follow_up"].pk,)))
    if objects["consent"] is not None:
        pages.insert(
            11, Page("consent withdraw", "consent_withdraw", C, (objects["consent"].client_id, objects["consent"].pk))
        )
    return pages


def unlisted(pages) -> list[str]:
    """URL names of config/access.py neither measured nor skipped (a new page: add it)."""
    from config.access import ACCESS_MATRIX

    measured = {page.url_name for page in pages} | set(NEEDS_AN_OBJECT)
    return [name for name in ACCESS_MATRIX if name not in measured and name not in SKIPPED]


def request(client, url):
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    content = response.content
    return time.perf_counter() - started, time.process_time() - cpu, response.status_code, len(content)


def measure(pages, clients, runs: int, warm_up: int, only=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        if only and page.url_name not in only and page.label not in only:
            continue
        client, url = clients[page.role], page.url()
        for _ in range(warm_up):
            request(client, url)
        with CaptureQueriesContext(connection) as queries:
            _, _, page.status, page.size = request(client, url)
        page.queries = len(queries)
        for _ in range(runs):
            wall, cpu, _, _ = request(client, url)
            page.times.append(wall)
            page.cpu.append(cpu)


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def print_table(pages):
    print("\n| page | URL | role | status | median ms | p95 ms | CPU ms | queries | KB |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for page in pages:
        if not page.times:
            continue
        print(
            f"| {page.label} | `{page.url_name}` | {page.role} | {page.status} | "
            f"{statistics.median(page.times) * 1000:.1f} | {p95(page.times) * 1000:.1f} | "
            f"{statistics.median(page.cpu) * 1000:.1f} | {page.queries} | {page.size / 1024:.0f} |"
        )
    medians = [statistics.median(page.times) * 1000 for page in pages if page.times]
    over = [page.label for page in pages if page.times and statistics.median(page.times) * 1000 >= 25]
    print(
        f"\n{len(medians)} pages; median of the medians {statistics.median(medians):.1f} ms; "
        + (f"{len(over)} at or over 25 ms: {', '.join(over)}" if over else "none at or over 25 ms")
    )


def profile(pages, clients, name: str, runs: int, sort: str):
    chosen = [page for page in pages if name in (page.url_name, page.label)]
    if not chosen:
        raise SystemExit(f"no page named {name!r}; names: " + ", ".join(sorted({p.url_name for p in pages})))
    page = chosen[0]
    client, url = clients[page.role], page.url()
    for _ in range(3):
        request(client, url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        request(client, url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(30)
    print(f"\ncProfile of {runs} GETs of {url} ({page.label}, {page.role}), by {sort}:")
    print(out.getvalue())


def slowest_queries(pages, clients, name: str, top: int = 5):
    """The page's slowest queries of one GET (after a warm-up), with their times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = next((page for page in pages if name in (page.url_name, page.label)), None)
    if page is None:
        raise SystemExit(f"no page named {name!r}")
    client, url = clients[page.role], page.url()
    request(client, url)
    with CaptureQueriesContext(connection) as queries:
        request(client, url)
    print(f"\nslowest queries of one GET of {url} ({page.label}):")
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:top]:
        print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql']}\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed GETs per page (median and p95)")
    parser.add_argument("--warm-up", type=int, default=2, help="untimed GETs per page first")
    parser.add_argument(
        "--page", action="append", help="measure only this page (URL name or label); repeat for several"
    )
    parser.add_argument("--profile", metavar="NAME", help="print a cProfile top 30 of this page (URL name or label)")
    parser.add_argument("--queries", metavar="NAME", help="print the slowest queries of this page")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime…)")
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection, transaction

    from accounts.roles import Role
    from coordination.clients.models import Client
    from coordination.logs.models import ContactLog
    from directory.models import Provider

    print(
        f"database: {connection.vendor}; python {sys.version.split()[0]}; "
        f"{Client.objects.count():,} clients, {ContactLog.objects.count():,} logs, "
        f"{Provider.objects.count():,} providers"
    )
    with transaction.atomic():
        office = largest_office()
        users = {role: member(office, role) for role in (Role.COORDINATOR, Role.SUPERVISOR, Role.WARD_STAFF)}
        objects = sample_objects(office, users[Role.COORDINATOR], users[Role.SUPERVISOR])
        print(
            f"office: {office} ({office.clients.count():,} clients, "
            f"{ContactLog.objects.filter(office=office).count():,} logs); busiest client "
            f"{objects['client'].pk} ({ContactLog.objects.filter(client=objects['client']).count():,} logs)"
            + (f"; made for the run: {', '.join(objects['made'])}" if objects["made"] else "")
        )
        clients = {str(role): signed_in(user) for role, user in users.items()}
        pages = page_list(objects)
        absent = [name for name, key in NEEDS_AN_OBJECT.items() if objects[key] is None]
        if absent:
            print("not measured (no such object in the office): " + ", ".join(absent))
        missing = unlisted(pages)
        if missing:
            print("URL names neither measured nor skipped: " + ", ".join(missing))
        print("load average (1, 5, 15 min): " + ", ".join(f"{load:.1f}" for load in os.getloadavg()))
        if args.queries:
            slowest_queries(pages, clients, args.queries)
        elif args.profile:
            profile(pages, clients, args.profile, max(args.runs, 5), args.sort)
        else:
            measure(pages, clients, args.runs, args.warm_up, only=args.page)
            print_table(pages)
        print("load average (1, 5, 15 min): " + ", ".join(f"{load:.1f}" for load in os.getloadavg()))
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
