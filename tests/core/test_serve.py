"""`bin/serve` keeps the site up: a dead web worker, web server or task worker comes back;
only Ctrl-C stops everything."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.smtp import _free_port

REPOSITORY = Path(__file__).resolve().parents[2]


def _session(session: int) -> list[int]:
    """The processes of a session (bin/serve starts its own)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _processes() -> dict[int, tuple[int, str]]:
    """Every process: pid -> (parent pid, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        found[int(entry.name)] = (parent, command)
    return found


SEEN: set[int] = set()  # every process bin/serve started during the test


def _alive(pids: set[int]) -> list[str]:
    processes = _processes()
    alive = []
    for pid in sorted(pids):
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(processes.get(pid, (0, "?"))[1])
    return alive


def _descendants(root: int) -> dict[int, str]:
    processes = _processes()
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, command) in processes.items():
            if ppid == parent and pid not in found:
                found[pid] = command
                frontier.append(pid)
    SEEN.update(found)
    return found


def _wait_for(what: str, condition: Callable[[], object], timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout}s")


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
            return True
    except urllib.error.HTTPError:
        return True  # an HTTP answer, whatever its status: the server serves
    except OSError:
        return False


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPOSITORY / "src"),
        "DJANGO_DEBUG": "true",
        "HEMONC_VAR_DIR": str(tmp_path),
        "WEB_WORKERS": "2",
        "HEMONC_RESTART_DELAY": "0.5",
    }
    process = subprocess.Popen(
        ["bin/serve", "127.0.0.1", str(port)],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for("the site answers", lambda: _answers(port), timeout=60)
        yield process, port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        for pid in SEEN | set(_session(process.pid)):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        SEEN.clear()


def _top(process: subprocess.Popen[bytes], marker: str) -> int | None:
    """The pid of the one process under bin/serve whose command line has `marker` and whose
    parent's has not (granian's main process, the task worker or its autoreloader)."""
    processes = _processes()
    tree = _descendants(process.pid)
    tops = [
        pid
        for pid, command in tree.items()
        if marker in command
        and marker not in processes.get(processes.get(pid, (0, ""))[0], (0, ""))[1]
    ]
    return tops[0] if len(tops) == 1 else None


def _web_server(process: subprocess.Popen[bytes]) -> int | None:
    return _top(process, "granian")


def _web_workers(process: subprocess.Popen[bytes]) -> list[int]:
    main = _web_server(process)
    if main is None:
        return []
    return [pid for pid, (parent, _) in _processes().items() if parent == main]


def test_serve_restarts_what_crashed_and_stops_only_on_ctrl_c(serve):
    process, port = serve
    workers = _wait_for(
        "two web workers", lambda: len(_web_workers(process)) >= 2 and _web_workers(process)
    )
    web_server = _web_server(process)
    task_worker = _wait_for("the task worker", lambda: _top(process, "db_worker"))

    # A web worker dies: granian starts another; the server and the task worker stay.
    os.kill(workers[0], signal.SIGKILL)
    _wait_for(
        "a new web worker",
        lambda: len(_web_workers(process)) >= 2 and workers[0] not in _web_workers(process),
    )
    assert _answers(port)
    assert (_web_server(process), _top(process, "db_worker")) == (web_server, task_worker)

    # The task worker dies: it comes back; the web server is left alone.
    os.kill(task_worker, signal.SIGKILL)
    _wait_for("a new task worker", lambda: _top(process, "db_worker") not in {None, task_worker})
    assert _web_server(process) == web_server and _answers(port)

    # The web server dies: it comes back and serves again.
    os.kill(web_server, signal.SIGKILL)
    _wait_for("a new web server", lambda: _web_server(process) not in {None, web_server})
    _wait_for("the site answers again", lambda: _answers(port))
    assert process.poll() is None

    # Ctrl-C stops everything.
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    deadline = time.monotonic() + 15
    while _alive(SEEN) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _alive(SEEN) == []


# ---------------------------------------------------------------------------------------------
# Links follow the port; one Ctrl-C stops everything; each log line once.


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPOSITORY / "src"),
        "DJANGO_DEBUG": "true",
        "HEMONC_VAR_DIR": str(tmp_path),
        "WEB_WORKERS": "2",
        "HEMONC_RESTART_DELAY": "0.5",
        **extra,
    }


def _hemonc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPOSITORY / ".venv" / "bin" / "python"), "-m", "hemonc", *args],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def _marked(marker: str) -> list[str]:
    """The live processes whose environment carries `marker` (every process bin/serve
    started, however deep, and whatever session it moved to)."""
    found = []
    needle = f"HEMONC_TEST_MARKER={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if state != "Z":
            found.append(f"{entry.name}: {command}")
    return found


def test_links_in_calendars_carry_the_port_served_on(tmp_path):
    env = _env(tmp_path)
    _hemonc(env, "migrate", "-v", "0")
    _hemonc(
        env, "shell", "-v", "0", "-c",
        "from datetime import timedelta; from django.utils import timezone;"
        "from hemonc.events.models import LiveSession;"
        "s = LiveSession.objects.create(title='Board review', "
        "starts_at=timezone.now() + timedelta(days=3)); print(s.pk)",
    )  # fmt: skip
    port = _free_port()
    process = subprocess.Popen(
        ["bin/serve", "127.0.0.1", str(port)],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for("the site answers", lambda: _answers(port), timeout=60)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sessions/feed.ics", timeout=10) as r:
            feed = r.read().decode().replace("\r\n ", "")
        # bin/serve prints its address once its processes have stayed up for 2 s; on a fast
        # machine the site answers sooner.
        time.sleep(3)
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0].decode()
    assert f"URL:http://127.0.0.1:{port}/sessions/" in feed
    assert ":8000" not in feed
    assert f"running at http://127.0.0.1:{port}/" in output


def test_an_explicit_site_url_wins_over_the_port(tmp_path):
    """Behind a proxy the public address is SITE_URL, whatever port the server listens on."""
    listing = subprocess.run(
        ["make", "-n", "-p", "run", "PORT=8101"],
        cwd=REPOSITORY, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert "run: SITE_URL := http://127.0.0.1:8101" in listing.stdout
    listing = subprocess.run(
        ["make", "-n", "-p", "run", "PORT=8101", "SITE_URL=https://network.example"],
        cwd=REPOSITORY, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert "SITE_URL = https://network.example" in listing.stdout
    assert "http://127.0.0.1:8101" not in listing.stdout


# When the Ctrl-C comes: at once (before the supervisors run), while they start their
# processes, during the start-up pause, and once the site answers.
@pytest.mark.parametrize("moment", [0.0, 0.3, 1.0, 2.5, "serving"])
def test_one_ctrl_c_stops_everything_whenever_it_comes(tmp_path, moment):
    marker = f"serve-{os.getpid()}-{time.monotonic_ns()}"
    port = _free_port()
    process = subprocess.Popen(
        ["bin/serve", "127.0.0.1", str(port)],
        cwd=REPOSITORY,
        env=_env(tmp_path, HEMONC_TEST_MARKER=marker),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        if moment == "serving":
            _wait_for("the site answers", lambda: _answers(port), timeout=60)
        else:
            time.sleep(float(moment))
        process.send_signal(signal.SIGINT)
        # Killed by the signal itself only when it came before the script started anything.
        assert process.wait(timeout=20) in {0, -signal.SIGINT}
        deadline = time.monotonic() + 10
        while _marked(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _marked(marker) == []
    finally:
        for line in _marked(marker):
            with contextlib.suppress(OSError):
                os.kill(int(line.split(":")[0]), signal.SIGKILL)


def test_each_task_log_line_is_printed_once(tmp_path):
    env = _env(tmp_path)
    _hemonc(env, "migrate", "-v", "0")
    _hemonc(
        env, "shell", "-v", "0", "-c",
        "from hemonc.core.tasks import send_email_task;"
        "send_email_task.enqueue(subject='Hello', body='Hi', html=None, "
        "from_email='a@example.org', to=['b@example.org'])",
    )  # fmt: skip
    worker = subprocess.run(
        [str(REPOSITORY / ".venv" / "bin" / "hemonc"), "db_worker", "--queue-name", "*",
         "--max-tasks", "1", "--no-startup-delay", "--no-reload"],
        cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    lines = [line for line in (worker.stdout + worker.stderr).splitlines() if line.strip()]
    task_lines = [line for line in lines if "send_email_task" in line]
    assert task_lines, lines
    assert len(task_lines) == len(set(task_lines)) == 2, lines  # running, then successful
