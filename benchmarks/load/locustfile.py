"""Load test: an office day on the realistic data set (docs/performance.md, "The realistic data set and the load test").

    .venv/bin/locust -f benchmarks/load/locustfile.py --host https://127.0.0.1:8034 \\
        --headless --users 50 --spawn-rate 5 --run-time 120s --csv var/load/pg-50 --samples-csv var/load/pg-50-samples.csv

Runs in the large office of benchmarks.dataset (the demo's 北区 office, 2,000 clients), whose accounts
benchmarks/load/prepare.py creates. Three kinds of virtual users, weighted 6 : 3 : 1:

- coordinators read the home page, the client list (often searched by フリガナ) and client pages,
  enter logs (the form, the client picker's search as they type, sometimes the provider picker's,
  then the save with 1–3 counterparts and 1–3 activity types), filter the log list and search the
  directory;
- ward staff search the directory (kana and procedures, ages, areas) and open providers;
- supervisors read the quarterly report and download it (XLSX often, PDF now and then).

Every virtual user signs in at the start with its own account (password, then the TOTP code of its
device for coordinators and supervisors, as a person would) and now and then signs out and in again
(about one task in 25: the lunch break, a closed laptop). A report download either answers with the
file at once or, once the files are made by the background worker, with a 「作成中」 page (202): the
task then asks the page's status URL as its script does until the file is ready, and fetches it. The
polls, the file and the whole wait are recorded under their own names ("report pdf (poll)",
"report pdf (file)", "report pdf (ready)"), apart from the pages.

The server runs with production settings behind no TLS, on loopback. The client behaves as a
browser behind nginx does: it uses https:// URLs (so Secure cookies are kept and sent), and
PlainProxyAdapter sends each request over plain HTTP to the same host and port with
`X-Forwarded-Proto: https`, the header nginx adds (settings.SECURE_PROXY_SSL_HEADER).
"""

import csv
import itertools
import random
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.dataset import SURNAMES
from benchmarks.directory_search import STEMS
from benchmarks.load.accounts import PASSWORD, totp_key, username

KANA = [*STEMS[:10], "ｻｸﾗ", "ツバサ", "aoba"]
PROCEDURES = ["ventilator", "suction", "tube-feeding", "tracheostomy", "oxygen"]
# What a coordinator types into the client picker or the client list's search: a surname's first kana.
CLIENT_QUERIES = sorted({kana[:2] for _, kana in SURNAMES})
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FILE_TYPES = ("application/pdf", "application/vnd.openxmlformats", "application/octet-stream")
POLL_SECONDS = 1.0  # the first status request after a second, then every two (static/js/file-status.js)
POLL_LIMIT = 60  # status requests before a download counts as failed (two minutes)
RESIGN_SHARE = 0.04  # the share of tasks that signs out and in again

SAMPLES: list[tuple[float, str, str, float, int]] = []  # (start, method, name, ms, failed) of every request


@events.init_command_line_parser.add_listener
def _add_arguments(parser):
    parser.add_argument(
        "--samples-csv", default="", help="write every request's time here (benchmarks/load/summary.py)"
    )


@events.request.add_listener
def _record(request_type, name, response_time, exception, start_time=None, **kwargs):
    SAMPLES.append(
        (round(start_time or time.time(), 3), request_type, name, round(response_time, 1), int(exception is not None))
    )


@events.quitting.add_listener
def _write_samples(environment, **kwargs):
    if environment.parsed_options and environment.parsed_options.samples_csv:
        with open(environment.parsed_options.samples_csv, "w", newline="") as file:
            csv.writer(file).writerows([("start", "method", "name", "ms", "failed"), *SAMPLES])


class PlainProxyAdapter(HTTPAdapter):
    """Sends an https:// request as plain HTTP with X-Forwarded-Proto: https, as nginx in front would."""

    def send(self, request, **kwargs):
        plain = request.copy()
        plain.url = "http://" + request.url.removeprefix("https://")
        plain.headers["X-Forwarded-Proto"] = "https"
        response = super().send(plain, **kwargs)
        response.url = request.url  # redirects and cookies then follow the https:// address
        return response


def options(html: str, name: str) -> list[str]:
    """The non-empty option values of the <select name=…>."""
    found = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    return [value for value in re.findall(r'<option value="([^"]*)"', found.group(1)) if value] if found else []


def is_file(response) -> bool:
    disposition = response.headers.get("Content-Disposition", "")
    return response.status_code == 200 and (
        "attachment" in disposition or response.headers.get("Content-Type", "").startswith(FILE_TYPES)
    )


def pending_urls(html: str, base: str) -> tuple[str | None, str]:
    """A 作成中 page's status URL (None when it names none) and the URL of the file once it is ready."""
    status = re.search(r'data-(?:file-status|status-url|poll-url)="([^"]+)"', html)
    ready = re.search(r'data-file-ready[^>]*>.*?<a[^>]+href="([^"]+)"', html, re.S) or re.search(
        r'<a[^>]+href="([^"]*download[^"]*)"', html
    )
    status_url = urljoin(base, status.group(1).replace("&amp;", "&")) if status else None
    return status_url, urljoin(base, ready.group(1).replace("&amp;", "&")) if ready else base


class OfficeUser(HttpUser):
    abstract = True
    role = ""
    numbers = None  # an itertools.count per class: each virtual user takes the next account
    wait_time = between(1, 4)
    name = ""
    signed_in_step = -1  # the TOTP time step of the last sign-in: a code is accepted once per step

    def on_start(self):
        self.client.mount("https://", PlainProxyAdapter())
        self.client.headers["Origin"] = self.host.rstrip("/")  # Django checks it on HTTPS POSTs
        self.name = username(self.role, next(type(self).numbers))
        self.sign_in()
        SAMPLES.append((round(time.time(), 3), "MARK", "first sign-in done", 0.0, 0))  # summary.py's steady state

    def post(self, path: str, data: dict, name: str, **kwargs):
        return self.client.post(path, data=data, name=name, headers={"Referer": self.host + path}, **kwargs)

    def sign_in(self):
        page = self.client.get("/login/", name="sign in")
        response = self.post(
            "/login/",
            {
                "csrfmiddlewaretoken": TOKEN.search(page.text).group(1),
                "username": self.name,
                "password": PASSWORD,
                "next": "/",
            },
            name="sign in",
        )
        if "/login/mfa/" in response.url:
            from django_otp.oath import totp

            self.signed_in_step = int(time.time()) // 30
            code = f"{totp(bytes.fromhex(totp_key(self.name))):06d}"
            response = self.post(
                "/login/mfa/",
                {"csrfmiddlewaretoken": TOKEN.search(response.text).group(1), "code": code, "next": "/"},
                name="sign in (two-factor)",
            )
        if "/login/" in response.url:
            raise RuntimeError(f"{self.name} could not sign in: {response.status_code} {response.url}")

    @task(1)
    def sign_again(self):
        """About RESIGN_SHARE of every user's tasks: this task's share (1 of len(self.tasks)) times this chance."""
        if random.random() < RESIGN_SHARE * len(self.tasks):
            self.sign_out_and_in()

    def sign_out_and_in(self):
        """Signs out (the header's form) and in again, as after a break; not twice in one TOTP step."""
        if int(time.time()) // 30 == self.signed_in_step:
            return
        home = self.page("/", "home")
        token = TOKEN.search(home.text)
        if token is None:
            return
        self.post("/logout/", {"csrfmiddlewaretoken": token.group(1)}, name="sign out")
        self.sign_in()

    def page(self, path: str, name: str, **params):
        with self.client.get(path, params=params or None, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/login/" in response.url:
                response.failure(f"{response.status_code} at {response.url}")
            return response

    def json(self, path: str, name: str, **params) -> list[dict]:
        with self.client.get(path, params=params, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} at {response.url}")
                return []
            return response.json().get("results", [])

    def search_directory(self):
        params = {"q": random.choice(KANA), "procedure": random.sample(PROCEDURES, random.choice([1, 1, 2]))}
        if random.random() < 0.3:
            params = random.choice(
                [
                    {"procedure": random.sample(PROCEDURES, 2), "age": str(random.randint(0, 17))},
                    {"q": random.choice(KANA)},
                    {"q": random.choice(KANA), "area": "city:北区"},
                ]
            )
        page = self.page("/directory/", "directory search", **params)
        return re.findall(r'href="/directory/(\d+)/"', page.text)

    def download(self, path: str, label: str, **params):
        """A file: at once, or after a 作成中 page, waited for as the browser does.

        The 作成中 page (status 202 while the worker makes the file) names a status URL
        (`data-file-status`, JSON {"state": "pending" | "ready" | "failed"}): it is asked after one
        second, then every two, as static/js/file-status.js does, and once ready the download link
        is followed. A page without a status URL is reloaded instead until the file comes. The first
        request is "label", the status requests and reloads "label (poll)", the file fetched after
        the wait "label (file)", and the time from the first request to the file in hand
        "label (ready)", so page times stay apart.
        """
        started = time.time()
        with self.client.get(path, params=params, name=label, catch_response=True) as response:
            if response.status_code not in (200, 202) or "/login/" in response.url:
                response.failure(f"{response.status_code} at {response.url}")
                return
            if is_file(response):
                return
            if "作成中" not in response.text:
                response.failure("neither a file nor a 作成中 page")
                return
        status_url, file_url = pending_urls(response.text, response.url)
        for number in range(POLL_LIMIT):
            time.sleep(POLL_SECONDS if number == 0 else 2 * POLL_SECONDS)
            if status_url is None:  # no script to follow: reload the download as the page says
                with self.client.get(file_url, name=f"{label} (poll)", catch_response=True) as polled:
                    if is_file(polled):
                        return self.ready(label, started, None)
                    if polled.status_code not in (200, 202) or "作成中" not in polled.text:
                        polled.failure(f"{polled.status_code}: neither the file nor 作成中")
                        return self.ready(label, started, "the file did not come")
                continue
            with self.client.get(status_url, name=f"{label} (poll)", catch_response=True) as polled:
                state = polled.json().get("state") if polled.status_code == 200 else None
                if state not in ("pending", "ready"):
                    polled.failure(f"{polled.status_code}: state {state}")
                    return self.ready(label, started, f"the file's state is {state}")
            if state == "ready":
                with self.client.get(file_url, name=f"{label} (file)", catch_response=True) as fetched:
                    if not is_file(fetched):
                        fetched.failure(f"{fetched.status_code}: ready, but no file")
                        return self.ready(label, started, "ready, but no file")
                return self.ready(label, started, None)
        self.ready(label, started, "the file was not ready in time")

    def ready(self, label: str, started: float, error: str | None):
        events.request.fire(
            request_type="GET",
            name=f"{label} (ready)",
            response_time=(time.time() - started) * 1000,
            response_length=0,
            exception=RuntimeError(error) if error else None,
            start_time=started,
            context={},
        )


class Coordinator(OfficeUser):
    """Logs calls and reads client pages all day; now and then looks up a provider."""

    weight = 6
    role = "coordinator"
    numbers = itertools.count(1)
    clients: list[str] = []
    categories: list[str] = []

    def on_start(self):
        super().on_start()
        self.clients = [str(c["id"]) for c in self.json("/lookups/clients/", "client lookup", q="ア")]

    @task(3)
    def home(self):
        self.page("/", "home")

    @task(2)
    def client_list(self):
        if random.random() < 0.6:
            page = self.page("/clients/", "client list", q=random.choice(CLIENT_QUERIES))
        else:
            page = self.page("/clients/", "client list")
        self.clients = re.findall(r'href="/clients/(\d+)/"', page.text) or self.clients

    @task(4)
    def client_page(self):
        if self.clients:
            self.page(f"/clients/{random.choice(self.clients)}/", "client page")

    @task(3)
    def new_log(self):
        form = self.page("/logs/new/", "log form").text
        methods = options(form, "method")
        types = re.findall(r'name="activity_types" value="(\d+)"', form)
        categories = options(form, "counterparts-0-category")
        token = TOKEN.search(form)
        if not (methods and types and categories and token):
            return
        # The client picker: the coordinator types a name's first kana, the page asks as they type.
        query = random.choice(CLIENT_QUERIES)
        found = self.json("/lookups/clients/", "client lookup", q=query[:1])
        found = self.json("/lookups/clients/", "client lookup", q=query) or found
        client = str(random.choice(found)["id"]) if found and random.random() < 0.88 else "none"
        counterparts = []
        for _ in range(random.choices([1, 2, 3], [55, 30, 15])[0]):
            if random.random() < 0.4:  # a provider, picked from the directory as they type
                providers = self.json("/lookups/providers/", "provider lookup", q=random.choice(KANA))
                if providers:
                    chosen = random.choice(providers)
                    counterparts.append((str(chosen["counterpart_category"]), str(chosen["id"])))
                    continue
            counterparts.append((random.choice(categories), ""))
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "occurred_on": (date.today() - timedelta(days=random.randint(0, 3))).isoformat(),
            "started_at": f"{random.randint(9, 16)}:{random.choice(['00', '15', '30', '45'])}",
            "duration_minutes": random.choice(["10", "20", "30", "60"]),
            "client": client,
            "method": random.choice(methods),
            "activity_types": random.sample(types, random.choices([1, 2, 3], [55, 30, 15])[0]),
            "report_summary": "負荷試験で保存した記録",
            "confidential_notes": "負荷試験の本文。",
            "counterparts-TOTAL_FORMS": str(len(counterparts)),
            "counterparts-INITIAL_FORMS": "0",
            "counterparts-MIN_NUM_FORMS": "0",
            "counterparts-MAX_NUM_FORMS": "1000",
            "save": "1",
        }
        for number, (category, provider) in enumerate(counterparts):
            data[f"counterparts-{number}-category"] = category
            data[f"counterparts-{number}-provider"] = provider
            data[f"counterparts-{number}-organization"] = ""
        with self.post("/logs/new/", data, name="log save", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                errors = re.findall(r'class="error-text"[^>]*>([^<]+)', response.text)
                response.failure(f"not saved ({response.status_code}): {errors[:2]}")

    @task(3)
    def log_list(self):
        filters = random.choice(
            [
                {},
                {"quarter": "2025-1"},
                {"q": "訪問"},
                {"sort": "date"},
                {"date_from": "2025-06-01", "date_to": "2025-06-30"},
            ]
        )
        self.page("/logs/", "log list", **filters)

    @task(1)
    def directory(self):
        found = self.search_directory()
        if found and random.random() < 0.5:
            self.page(f"/directory/{random.choice(found)}/", "provider page")


class WardStaff(OfficeUser):
    """Looks up providers for a family: kana and procedures, then a provider's page."""

    weight = 3
    role = "ward"
    numbers = itertools.count(1)
    providers: list[str] = []

    @task(5)
    def search(self):
        self.providers = self.search_directory() or self.providers

    @task(3)
    def provider_page(self):
        if self.providers:
            self.page(f"/directory/{random.choice(self.providers)}/", "provider page")


class Supervisor(OfficeUser):
    """Reads the quarterly report and downloads it."""

    weight = 1
    role = "supervisor"
    numbers = itertools.count(1)
    periods = [
        {"fiscal_year": "2025", "quarters": "1-3"},
        {"fiscal_year": "2025", "quarters": "1-4"},
        {"fiscal_year": "2026", "quarters": "1-2"},
    ]

    @task(4)
    def report(self):
        self.page("/reports/quarterly/", "report page", **random.choice(self.periods))

    @task(2)
    def xlsx(self):
        self.download("/reports/quarterly/download/xlsx/", "report xlsx", **random.choice(self.periods))

    @task(1)
    def pdf(self):
        self.download("/reports/quarterly/download/pdf/", "report pdf", **random.choice(self.periods))
