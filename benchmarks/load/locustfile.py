"""Load test: an office day against a running server (docs/performance.md, "Load test").

    .venv/bin/locust -f benchmarks/load/locustfile.py --host https://127.0.0.1:8031 \\
        --headless --users 50 --spawn-rate 10 --run-time 60s --csv var/load/pg-50

Coordinators read the home page, the client list and client pages, open the log form and save
new logs, and filter the log list; ward staff search the directory (kana and procedures) and
open providers; supervisors read the report and download it (XLSX, now and then PDF). Each
virtual user signs in once with its own account from benchmarks/load/prepare.py, with its
password and the TOTP code of its device, as a person would.

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

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.load.accounts import PASSWORD, totp_key, username

KANA = [
    "あおば",
    "ｻｸﾗ",
    "ひまわり",
    "ツバサ",
    "みどり",
    "かえで",
    "あさひ",
    "わかば",
    "こころ",
    "のぞみ",
    "けやき",
    "aoba",
]
PROCEDURES = ["ventilator", "suction", "tube-feeding", "tracheostomy", "oxygen"]
CLIENT_QUERIES = ["ア", "カ", "サ", "タ", "ナ", "ハ", "マ", "ヤ", "ラ", "ワ"]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

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


def input_value(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else ""


class OfficeUser(HttpUser):
    abstract = True
    role = ""
    numbers = None  # an itertools.count per class: each virtual user takes the next account
    wait_time = between(1, 4)

    def on_start(self):
        self.client.mount("https://", PlainProxyAdapter())
        self.client.headers["Origin"] = self.host.rstrip("/")  # Django checks it on HTTPS POSTs
        self.sign_in(username(self.role, next(type(self).numbers)))

    def post(self, path: str, data: dict, name: str, **kwargs):
        return self.client.post(path, data=data, name=name, headers={"Referer": self.host + path}, **kwargs)

    def sign_in(self, name: str):
        page = self.client.get("/login/", name="sign in")
        response = self.post(
            "/login/",
            {
                "csrfmiddlewaretoken": TOKEN.search(page.text).group(1),
                "username": name,
                "password": PASSWORD,
                "next": "/",
            },
            name="sign in",
        )
        if "/login/mfa/" in response.url:
            from django_otp.oath import totp

            code = f"{totp(bytes.fromhex(totp_key(name))):06d}"
            response = self.post(
                "/login/mfa/",
                {"csrfmiddlewaretoken": TOKEN.search(response.text).group(1), "code": code, "next": "/"},
                name="sign in (two-factor)",
            )
        if "/login/" in response.url:
            raise RuntimeError(f"{name} could not sign in: {response.status_code} {response.url}")

    def page(self, path: str, name: str, **params):
        with self.client.get(path, params=params or None, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/login/" in response.url:
                response.failure(f"{response.status_code} at {response.url}")
            return response


class Coordinator(OfficeUser):
    """Logs calls and reads client pages all day."""

    weight = 6
    role = "coordinator"
    numbers = itertools.count(1)
    clients: list[str] = []

    def on_start(self):
        super().on_start()
        self.clients = re.findall(r'href="/clients/(\d+)/"', self.page("/clients/", "client list").text)

    @task(3)
    def home(self):
        self.page("/", "home")

    @task(2)
    def client_list(self):
        if random.random() < 0.5:
            self.page("/clients/", "client list", q=random.choice(CLIENT_QUERIES))
        else:
            self.page("/clients/", "client list")

    @task(4)
    def client_page(self):
        if self.clients:
            self.page(f"/clients/{random.choice(self.clients)}/", "client page")

    @task(2)
    def new_log(self):
        form = self.page("/logs/new/", "log form").text
        clients, methods = options(form, "client"), options(form, "method")
        types = re.findall(r'name="activity_types" value="(\d+)"', form)
        categories = options(form, "counterparts-0-category")
        if not (clients and methods and types and categories):
            return
        today = date.today()
        data = {
            "csrfmiddlewaretoken": TOKEN.search(form).group(1),
            "occurred_on": (today - timedelta(days=random.randint(0, 3))).isoformat(),
            "started_at": f"{random.randint(9, 16)}:{random.choice(['00', '15', '30', '45'])}",
            "duration_minutes": random.choice(["10", "20", "30", "60"]),
            "client": random.choice(clients[1:] or clients),  # the first is 対象者なし
            "method": random.choice(methods),
            "activity_types": random.sample(types, random.choice([1, 1, 2])),
            "report_summary": "負荷試験で保存した記録",
            "confidential_notes": "負荷試験の本文。",
            "counterparts-TOTAL_FORMS": "1",
            "counterparts-INITIAL_FORMS": "0",
            "counterparts-MIN_NUM_FORMS": "0",
            "counterparts-MAX_NUM_FORMS": "1000",
            "counterparts-0-category": random.choice(categories),
            "counterparts-0-provider": "",
            "counterparts-0-organization": "",
            "save": "1",
        }
        with self.post("/logs/new/", data, name="log save", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                errors = re.findall(r'class="error-text"[^>]*>([^<]+)', response.text)
                response.failure(f"not saved ({response.status_code}): {errors[:2]}")

    @task(2)
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


class WardStaff(OfficeUser):
    """Looks up providers for a family: kana and procedures, then a provider's page."""

    weight = 3
    role = "ward"
    numbers = itertools.count(1)
    providers: list[str] = []

    @task(5)
    def search(self):
        params = {"q": random.choice(KANA), "procedure": random.sample(PROCEDURES, random.choice([1, 1, 2]))}
        found = re.findall(r'href="/directory/(\d+)/"', self.page("/directory/", "directory search", **params).text)
        self.providers = found or self.providers

    @task(3)
    def provider_page(self):
        if self.providers:
            self.page(f"/directory/{random.choice(self.providers)}/", "provider page")


class Supervisor(OfficeUser):
    """Reads the quarterly report and downloads it."""

    weight = 1
    role = "supervisor"
    numbers = itertools.count(1)
    period = {"fiscal_year": "2025", "quarters": "1-3"}

    @task(4)
    def report(self):
        self.page("/reports/quarterly/", "report page", **self.period)

    @task(2)
    def xlsx(self):
        self.page("/reports/quarterly/download/xlsx/", "report xlsx", **self.period)

    @task(1)
    def pdf(self):
        self.page("/reports/quarterly/download/pdf/", "report pdf", **self.period)
