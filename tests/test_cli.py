"""The command line as a person runs it."""
import json
import os
import pty
import select
import subprocess
import sys
import time

from tests.helpers.common import ROOT


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
    # The same fields, in the same order, with the kind as a plain word (Reply.kind is a StrEnum).
    assert list(data) == ["topic", "emergency", "escalate", "confidence", "lang", "kind", "reply", "choices",
                          "more", "followups", "caution"]
    assert '"kind": "answer"' in out.stdout


def test_reply_kind_reads_as_its_plain_word():
    from bot.messages import Reply, ReplyKind
    reply = Reply("hi", "suggest", "en")
    assert reply.kind is ReplyKind.SUGGEST and reply.kind == "suggest" and f"{reply.kind}" == "suggest"
    assert type(reply.as_dict()["kind"]) is str
    assert json.dumps(reply.as_dict()).count('"kind": "suggest"') == 1


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
    assert b"INFO" not in seen and b"WARNING" not in seen, "no log lines on the conversation's screen"
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_chat_keeps_log_lines_out_of_the_conversation(tmp_path):
    log_file = tmp_path / "bot.log"
    out = run("chat", "--log", str(log_file), stdin="narcan\ntalk to staff\n/quit\n")
    assert out.returncode == 0
    for stream in (out.stdout, out.stderr):
        assert "INFO" not in stream and "WARNING" not in stream and "answered channel=" not in stream
    assert "aloxone" in out.stdout
    assert "No worker was alerted" in out.stdout, "the terminal reaches no staff, and says so"
    logged = log_file.read_text()
    assert "answered channel=sms" in logged and "topic=naloxone" in logged
    assert "narcan" not in logged, "log lines carry the topic, never the words"


def test_chat_names_the_rate_limit_as_such():
    out = run("chat", stdin="hello\n" * 15 + "/quit\n")
    assert out.returncode == 0
    assert "[rate limit: more than 12 messages a minute" in out.stdout
    assert "You're sending a lot of messages quickly" in out.stdout
    assert "(no reply: rate limit" in out.stdout, "after the notice, silence is labelled as the rate limit"
    assert "opted out" not in out.stdout
    assert "WARNING" not in out.stdout + out.stderr


def test_chat_says_when_silence_is_an_opt_out():
    out = run("chat", stdin="STOP\nhello\n/quit\n")
    assert "(no reply: you have opted out; text START to come back)" in out.stdout
