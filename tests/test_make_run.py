"""`make run` as a user starts it: the product's Japanese error pages (DEBUG off), static files served,
another port with PORT=, Django's debug pages only with DEBUG=1, and the background worker that makes
the report files running beside the server and stopping with it."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from config.settings import BASE_DIR

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/bin/make"), reason="needs make")


def run_recipe(**variables) -> str:
    """The command `make run` runs once set up (the set-up itself is not run: `-o setup`)."""
    assignments = [f"{name}={value}" for name, value in variables.items()]
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", "setup", "run", f"PY={sys.executable}", *assignments],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def test_make_run_serves_on_port_8000_with_debug_off_unless_asked():
    assert run_recipe() == f"DJANGO_DEBUG=0 scripts/run {sys.executable} 127.0.0.1:8000"
    assert run_recipe(PORT=8001).endswith(" 127.0.0.1:8001")
    assert run_recipe(DEBUG=1).startswith("DJANGO_DEBUG=1 ")


@pytest.fixture
def served(tmp_path):
    """The app started by `make run`'s own command on a free port, on an empty throw-away database."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_DEBUG"}}
    env["TSUNAGU_SQLITE_PATH"] = str(tmp_path / "make-run.sqlite3")
    # The recipe is a shell command line (it sets DJANGO_DEBUG for the server), run as make would.
    server = subprocess.Popen(
        f"{run_recipe(PORT=port)} --noreload",
        shell=True,
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "the server stopped"
                time.sleep(0.1)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_an_unknown_address_gets_the_japanese_404_page_without_the_url_list(served):
    status, content_type, page = get(f"{served}/no-such-page/")
    assert status == 404
    assert content_type.startswith("text/html")
    assert "ページが見つかりません" in page and "ホームへ戻る" in page
    # Not Django's debug page, which lists every URL pattern of the site.
    assert "Using the URLconf" not in page and "admin/" not in page and "DEBUG = True" not in page


def test_static_files_are_served_with_debug_off(served):
    status, content_type, css = get(f"{served}/static/css/tsunagu.css")
    assert status == 200
    assert content_type.startswith("text/css") and css.strip()


def processes_of_session(session: int) -> dict[int, str]:
    """The live processes of a session (the server's, started with start_new_session): pid → command line."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # After the name: state, ppid, pgrp, session; a zombie (Z) has ended.
        if int(fields[3]) == session and fields[0] != "Z":
            found[int(entry)] = command
    return found


def test_make_run_starts_the_report_worker_beside_the_server_and_stopping_the_script_stops_both(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_DEBUG"}}
    env["TSUNAGU_SQLITE_PATH"] = str(tmp_path / "make-run.sqlite3")
    # `make run` migrates first (its `setup`); the worker reads its queue from the database.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=BASE_DIR, env=env, check=True, capture_output=True
    )
    port = free_port()
    script = subprocess.Popen(
        ["scripts/run", sys.executable, f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            commands = processes_of_session(script.pid).values()
            if any("runserver" in c for c in commands) and any("db_worker" in c for c in commands):
                break
            assert script.poll() is None, "scripts/run stopped"
            time.sleep(0.1)
        else:
            raise AssertionError(f"no server and worker: {commands}")
        # Only the script is told to stop (as by systemd or a terminal's Ctrl-C): it stops the other two.
        script.send_signal(signal.SIGTERM)
        script.wait(timeout=30)
        for _ in range(300):
            if not processes_of_session(script.pid):
                break
            time.sleep(0.1)
        assert processes_of_session(script.pid) == {}
    finally:
        if processes_of_session(script.pid):
            os.killpg(script.pid, signal.SIGKILL)
