"""Every line of ../shared/eval/dev.jsonl, answered through `python -m bot ask --json` as a person would run it."""
import json
import subprocess
import sys

import pytest

from tests.helpers.common import ROOT, need_shared


@pytest.fixture(scope="module")
def answers():
    cases = [json.loads(line) for line in need_shared("eval/dev.jsonl").read_text().splitlines() if line.strip()]
    run = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input="\n".join(c["text"] for c in cases) + "\n",
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    replies = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(replies) == len(cases)
    return list(zip(cases, replies))


def test_every_dev_line_is_answered_correctly(answers):
    wrong = []
    for case, got in answers:
        problems = []
        if case["topics"] is None:
            if got["topic"] is not None:
                problems.append(f"should not know, answered {got['topic']}")
        elif got["topic"] not in case["topics"]:
            problems.append(f"topic {got['topic']} not in {case['topics']}")
        if case["emergency"] is not None and got["emergency"] != case["emergency"]:
            problems.append(f"emergency {got['emergency']}")
        if case.get("escalate") and not got["escalate"]:
            problems.append("should escalate")
        if got["lang"] != case["lang"]:
            problems.append(f"lang {got['lang']}")
        if problems:
            wrong.append(f"{case['text']!r}: {'; '.join(problems)}")
    assert not wrong, "\n".join(wrong)


def test_reply_fields_are_complete(answers):
    for _, got in answers:
        assert set(got) >= {"topic", "emergency", "escalate", "confidence", "lang", "reply"}
        assert 0.0 <= got["confidence"] <= 1.0
        assert got["reply"].strip()
