"""The real server as `make serve` and the systemd unit start it: gunicorn with config/gunicorn.py.

Production settings, a temporary SQLite file named by DATABASE_URL and a temporary STATIC_ROOT,
a port the kernel picks. Requests go over plain http to loopback, as nginx's would; pages other
than /healthz need `X-Forwarded-Proto: https`, which nginx sets after terminating TLS.
"""

import base64
import http.client
import json
import queue
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from config.settings import BASE_DIR

GUNICORN = Path(sys.executable).with_name("gunicorn")
ISO_TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"
BEHIND_NGINX = {"X-Forwarded-Proto": "https"}
ONE_YEAR = 365 * 24 * 60 * 60


class Server:
    """A running gunicorn: its address and the lines it has printed on stdout so far."""

    def __init__(self, process: subprocess.Popen, static_root: Path):
        self.process = process
        self.static_root = static_root
        self.lines: list[str] = []
        self._incoming: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        listening = self.wait_for_line(r"Listening at: http://127\.0\.0\.1:(\d+)")
        self.port = int(re.search(r"127\.0\.0\.1:(\d+)", listening).group(1))

    def _read(self):
        for line in self.process.stdout:
            self._incoming.put(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, timeout: float = 15) -> str:
        """The first line printed so far or within `timeout` seconds that matches `pattern`."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines:
                if re.search(pattern, line):
                    return line
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines))
            try:
                self.lines.append(self._incoming.get(timeout=min(remaining, 0.2)))
            except queue.Empty:
                pass

    def get(self, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response


def production_env(directory: Path) -> dict:
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{directory / 'serve.sqlite3'}",
        "TSUNAGU_FIELD_KEYS": base64.b64encode(secrets.token_bytes(32)).decode(),
        "TSUNAGU_STATIC_ROOT": str(directory / "static"),
        "TSUNAGU_BIND": "127.0.0.1:0",
        "WEB_CONCURRENCY": "1",
        "PYTHONUNBUFFERED": "1",
    }


def start(directory: Path, env: dict) -> subprocess.Popen:
    with open(directory / "stderr.log", "w") as stderr:
        return subprocess.Popen(
            [str(GUNICORN), "--config", "config/gunicorn.py"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("serve")
    env = production_env(directory)
    # Django admin's own files are left out only to keep this test quick; `make serve` collects all.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0", "--ignore", "admin"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    process = start(directory, env)
    try:
        yield Server(process, directory / "static")
    finally:
        stop(process)


def test_the_health_check_answers_ok_over_plain_http_on_loopback(server):
    response = server.get("/healthz")
    assert response.status == 200
    assert response.body == b"ok\n"


def test_pages_over_plain_http_without_the_proxy_header_are_redirected_to_https(server):
    response = server.get("/login/")
    assert response.status == 301
    assert response.getheader("Location") == "https://127.0.0.1/login/"


def test_the_stylesheet_is_served_under_its_hashed_name_and_cached_for_a_year(server):
    manifest = json.loads((server.static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/tsunagu.css"]
    assert re.fullmatch(r"css/tsunagu\.[0-9a-f]{12}\.css", hashed)
    response = server.get(f"/static/{hashed}", BEHIND_NGINX)
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/css")
    max_age = int(re.search(r"max-age=(\d+)", response.getheader("Cache-Control")).group(1))
    assert max_age >= ONE_YEAR
    # Pages link the hashed name, so a new release's stylesheet is never taken from a stale cache.
    page = server.get("/no-such-page/", BEHIND_NGINX)
    assert page.status == 404
    assert f'href="/static/{hashed}"' in page.body.decode()


def test_the_access_log_on_stdout_carries_the_request_id_sent_back(server):
    response = server.get("/healthz")
    request_id = response.getheader("X-Request-ID")
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    line = server.wait_for_line(re.escape(f"[{request_id}]"))
    assert re.match(
        ISO_TIMESTAMP + r" INFO gunicorn\.access \[" + request_id + r'\] .*"GET /healthz HTTP/1\.1" 200', line
    )


def test_django_log_lines_on_stdout_carry_the_request_id_from_nginx(server):
    server.get("/no-such-page/?name=%E5%B1%B1%E7%94%B0", {**BEHIND_NGINX, "X-Request-ID": "nginx-req-7"})
    line = server.wait_for_line(r"django\.request \[nginx-req-7\]")
    assert re.match(ISO_TIMESTAMP + r" WARNING django\.request \[nginx-req-7\] Not Found: /no-such-page/$", line)
    access = server.wait_for_line(r"gunicorn\.access \[nginx-req-7\]")
    # The query string (a search for a child's name, say) is not logged.
    assert '"GET /no-such-page/ HTTP/1.1" 404' in access and "name=" not in access


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_report_files_worker_runs_beside_gunicorn_and_stops_with_it(tmp_path):
    env = production_env(tmp_path)
    # `make serve` migrates first (scripts/serve); the worker reads its queue from the database.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=BASE_DIR, env=env, check=True, capture_output=True
    )
    process = start(tmp_path, env)
    try:
        server = Server(process, tmp_path / "static")
        line = server.wait_for_line(r"Started the report files' worker \(manage\.py db_worker, pid \d+\)")
        pid = int(re.search(r"pid (\d+)", line).group(1))
        server.wait_for_line(r"django_tasks_db .*Starting worker")
        assert alive(pid)
    finally:
        stop(process)
    assert not alive(pid)
