"""scripts/with-postgres, which `make test` uses for the PostgreSQL run: its server is gone
afterwards, whether the command succeeds, fails or is interrupted."""

import os
import signal
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "with-postgres"
# Connects to DATABASE_URL, prints the server's data directory, then runs the rest of argv.
PROBE = """
import os, sys, time, psycopg
with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
    print(connection.execute("SHOW data_directory").fetchone()[0], connection.info.host, flush=True)
if sys.argv[1] == "sleep":
    time.sleep(120)
sys.exit(int(sys.argv[1]) if sys.argv[1] != "sleep" else 0)
"""


def processes_using(directory: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if directory in text:
            found.append(text)
    return found


def test_a_failing_command_gets_a_live_server_and_leaves_no_server_or_directory_behind():
    result = subprocess.run(
        [str(SCRIPT), sys.executable, "-c", PROBE, "3"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 3, result.stderr
    data_directory, host = result.stdout.split()
    assert host == "127.0.0.1"
    server_directory = str(Path(data_directory).parent)
    assert not Path(server_directory).exists()
    assert processes_using(server_directory) == []


def test_ctrl_c_stops_the_command_and_the_server():
    process = subprocess.Popen(
        [str(SCRIPT), sys.executable, "-c", PROBE, "sleep"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # As from a terminal: Ctrl-C not ignored (pytest may run with it ignored).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        data_directory, _ = process.stdout.readline().split()
        server_directory = str(Path(data_directory).parent)
        assert processes_using(server_directory) != []
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
        assert process.wait(timeout=120) == 130
    finally:
        if process.poll() is None:
            process.kill()
    assert not Path(server_directory).exists()
    assert processes_using(server_directory) == []
