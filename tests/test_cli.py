"""The command line as a person runs it."""
import json
import os
import pty
import select
import subprocess
import sys
import time

from tests.conftest import ROOT


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_ask_one_message():
    out = run("ask", "where can i get narcan")
    assert out.returncode == 0
    assert "aloxone" in out.stdout


def test_ask_json_fields():
    out = run("ask", "--json", "narcan")
    data = json.loads(out.stdout)
    assert data["topic"] == "naloxone" and data["lang"] == "en" and data["emergency"] is False


def test_ask_reads_one_message_per_line_each_fresh():
    out = run("ask", "--json", stdin="menu\n1\nmy friend is not breathing\n")
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(replies) == 3
    assert replies[1]["topic"] is None        # a fresh conversation has no menu to pick from
    assert replies[2]["emergency"] is True


def test_ask_lang_and_channel():
    out = run("ask", "--json", "--lang", "es", "--channel", "telegram", "naloxone")
    data = json.loads(out.stdout)
    assert data["lang"] == "es" and data["topic"] == "naloxone"


def test_chat_keeps_the_conversation():
    out = run("chat", stdin="menu\n2\nmore\n/quit\n")
    assert out.returncode == 0
    assert "Topics" in out.stdout and "Naloxone" in out.stdout


def test_chat_in_a_terminal():
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "bot", "chat"])
    seen = b""

    def read_until(token, seconds=30):
        nonlocal seen
        deadline = time.monotonic() + seconds
        while token not in seen:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0))
            if not ready:
                os.kill(pid, 9)
                raise AssertionError(f"{token!r} never appeared; screen was {seen[-500:]!r}")
            seen += os.read(fd, 4096)
    read_until(b"> ")
    os.write(fd, b"molly safe?\n")
    read_until(b"MORE")
    os.write(fd, b"/quit\n")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
