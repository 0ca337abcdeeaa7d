"""Editors' tools in the running app: safe reload of edited content, preview, unanswered messages turned
into example phrases, and the topic report. Real Redis, real files in a copy of the content folder."""
import datetime as dt
import itertools
import logging
import time

import pytest

from bot.editing.edit import EditRefused, with_example
from bot.store import report
from tests import staff
from tests.helpers import sms_webhook


@pytest.fixture
def app(site, real_redis, recorder):
    from handlers.web import create_app
    from tests.helpers.common import PUBLIC_URL, TWILIO_TOKEN
    app = create_app({
        "TESTING": True, "CONFIG_PATH": str(site / "config.toml"), "RELOAD_SECONDS": 0, "REDIS": real_redis,
        "BOT_SECRET_KEY": b"k" * 32, "PUBLIC_URL": PUBLIC_URL, "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_FROM_NUMBER": "+15550001111", "TWILIO_API_BASE": recorder.url,
    })
    app.extensions["services"].conversations.hours = None
    return app


_numbers = itertools.count(100)


def sms_text(client, body, sender=None):
    """The first SMS of the reply; a new texter each time unless told (so no rate limit is reached)."""
    import xml.etree.ElementTree as ET
    sender = sender or f"+1780555{next(_numbers):04d}"
    response = sms_webhook.post(client, sms_webhook.form(body, sender=sender))
    assert response.status_code == 200
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")][0]


def wait_for(predicate, seconds=60.0):
    """Reloads happen off the request path: poll until the new content serves (a reload builds a whole
    engine, which takes many seconds on a loaded machine; the poll returns as soon as it serves)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# -- safe reload ---------------------------------------------------------------------------------

def test_good_edit_serves_and_bad_edit_never_does(app, site, caplog):
    caplog.set_level(logging.INFO)
    client = app.test_client()
    topic = site / "content" / "topics" / "naloxone.toml"
    assert "nozzle in a nostril" in sms_text(client, "where can i get narcan")

    edit(topic, "Spray: nozzle in a nostril, press.", "Spray: nozzle up a nostril, press.")
    assert wait_for(lambda: "nozzle up a nostril" in sms_text(client, "where can i get narcan")), \
        "a good edit goes live without a restart"

    # A broken edit: an unclosed string. The last good content keeps serving.
    edit(topic, 'title = "Naloxone (Narcan)"', 'title = "Naloxone (Narcan)')
    client.get("/healthz")                       # any request makes the worker look at the files
    assert wait_for(lambda: "NOT published" in caplog.text)
    for _ in range(5):
        assert "nozzle up a nostril" in sms_text(client, "where can i get narcan")
    assert "naloxone.toml" in caplog.text and "not valid TOML" in caplog.text

    # The inbox shows the problem to whoever logs in, with the file and line.
    page = staff.staff_client(app).get("/inbox").get_data(as_text=True)
    assert "A content edit was NOT published" in page and "naloxone.toml:" in page

    # An edit that parses but breaks a rule (an answer far over its SMS budget) is refused too.
    edit(topic, 'title = "Naloxone (Narcan)', 'title = "Naloxone (Narcan)"')
    edit(topic, "Spray: nozzle up a nostril, press.", "Spray: nozzle up a nostril. " * 12)
    caplog.clear()
    client.get("/healthz")
    assert wait_for(lambda: "NOT published" in caplog.text)
    assert "Spray: nozzle up a nostril. Spray: nozzle up" not in sms_text(client, "where can i get narcan")

    # Fixed: it goes live and the warning leaves the inbox.
    edit(topic, "Spray: nozzle up a nostril. " * 12, "Spray: tip in a nostril, press.")
    assert wait_for(lambda: "tip in a nostril" in sms_text(client, "where can i get narcan"))
    assert "NOT published" not in staff.client_for(app, "sam").get("/inbox").get_data(as_text=True)


def test_every_worker_picks_up_the_edit(site, real_redis, recorder):
    """Two app instances (as two gunicorn workers) on the same files both serve the edit."""
    from handlers.web import create_app
    workers = [create_app({"TESTING": True, "CONFIG_PATH": str(site / "config.toml"), "RELOAD_SECONDS": 0,
                           "REDIS": real_redis, "BOT_SECRET_KEY": b"k" * 32}) for _ in range(2)]
    edit(site / "content" / "topics" / "shelter.toml", "[en]\ntitle = ", "[en]\ntitle = \"Shelter tonight\"\nold_title = ")
    for worker in workers:        # an unknown field: refused everywhere
        worker.test_client().get("/healthz")
    assert wait_for(lambda: all(w.extensions["services"].live.refused for w in workers))
    edit(site / "content" / "topics" / "shelter.toml", "\nold_title = ", "\n# was: ")
    for worker in workers:       # each worker runs the whole content check (49 topics) on a shared 2-core box
        client = worker.test_client()
        assert wait_for(lambda client=client, worker=worker: client.get("/healthz") and
                        worker.extensions["services"].engine.content.topics["shelter"].texts["en"].title == "Shelter tonight",
                        seconds=30)


# -- preview -------------------------------------------------------------------------------------

def test_preview_shows_each_channel_topic_confidence_and_runners_up(app):
    editor = staff.staff_client(app, "eli", "editor")
    page = editor.get("/inbox/preview", query_string={"text": "how do i use narcan"}).get_data(as_text=True)
    assert 'id="matched-topic">naloxone<' in page
    assert "Runner-up topics" in page and "segment" in page and "GSM-7" in page
    assert 'id="is-emergency">no<' in page
    emergency = editor.get("/inbox/preview", query_string={"text": "he's not breathing"}).get_data(as_text=True)
    assert "YES: emergency reply" in emergency and "911" in emergency
    menu = editor.get("/inbox/preview", query_string={"text": "menu"}).get_data(as_text=True)
    assert 'class="tg-button"' in menu, "Telegram buttons are shown"
    assert not app.extensions["services"].redis.keys("state:*"), "a preview stores nothing"


def test_preview_counts_ucs2_segments(app):
    from handlers.staff.editor import preview_of
    with app.test_request_context():
        result = preview_of("what is fentanyl", None)
    sms = result["channels"]["sms"]["messages"][0]
    assert sms["encoding"] == "GSM-7" and 1 <= sms["count"] <= 2
    assert "".join(sms["segments"]) == sms["text"]


def test_editor_pages_need_the_editor_role(app):
    plain = staff.staff_client(app, "sam", "staff")
    for path in ("/inbox/preview", "/inbox/unanswered", "/inbox/report"):
        assert plain.get(path).status_code == 403
        assert app.test_client().get(path).status_code == 302
    admin = staff.staff_client(app, "ada", "admin")
    assert admin.get("/inbox/report").status_code == 200


# -- unanswered ----------------------------------------------------------------------------------

def test_unanswered_are_scrubbed_grouped_counted_and_expire(app, real_redis):
    client = app.test_client()
    for sender, body in [("+17805550601", "who won the oilers game"), ("+17805550602", "who won the oilers game??"),
                         ("+17805550603", "Who won the oilrs game"), ("+17805550604", "is the library open on sunday"),
                         ("+17805550605", "my name is Jordan Lee, is the parrot cage still for sale 780 555 0199")]:
        sms_text(client, body, sender=sender)
    groups = app.extensions["services"].unanswered.groups()
    assert groups[0]["count"] == 3 and "oilers" in groups[0]["text"].lower()
    everything = " ".join(m["text"] for g in groups for m in g["members"])
    assert "Jordan" not in everything and "555 0199" not in everything and "[phone]" in everything
    stored = " ".join(str(real_redis.hgetall(k)) for k in real_redis.scan_iter("unanswered:*") if real_redis.type(k) == "hash")
    assert "Jordan" not in stored and "7805550601" not in stored

    page = staff.staff_client(app, "eli", "editor").get("/inbox/unanswered").get_data(as_text=True)
    assert "oilers" in page and "library open on sunday" in page and '<strong class="count">3</strong>' in page

    for key in real_redis.scan_iter("unanswered:*"):
        if key != "unanswered:index":
            real_redis.pexpire(key, 1)
    time.sleep(0.05)
    assert app.extensions["services"].unanswered.groups() == []


def test_answered_messages_are_not_kept(app):
    sms_text(app.test_client(), "where can i get narcan")
    sms_text(app.test_client(), "my friend is not breathing")
    assert app.extensions["services"].unanswered.records() == []


def test_unanswered_message_becomes_an_example_and_then_is_answered(app, site):
    client = app.test_client()
    question = "is it ok to leave one in a hot car all summer"
    sms_text(client, question, sender="+17805550611")
    (group,) = app.extensions["services"].unanswered.groups()
    editor = staff.staff_client(app, "eli", "editor")
    form = {"phrase": group["text"], "topic": "naloxone", "lang": "en", "record": [m["id"] for m in group["members"]]}
    response = staff.post_form(editor, "/inbox/unanswered/add", form, page="/inbox/unanswered")
    assert response.status_code == 302
    assert "published" in editor.get("/inbox/unanswered").get_data(as_text=True)
    assert question in (site / "content" / "topics" / "naloxone.toml").read_text()
    assert app.extensions["services"].unanswered.records() == [], "dealt with, so no longer listed"
    assert wait_for(lambda: "aloxone" in sms_text(client, question, sender="+17805550612"))


def test_example_that_would_route_elsewhere_is_refused_and_file_restored(app, site):
    topic = site / "content" / "topics" / "shelter.toml"
    before = topic.read_text()
    editor = staff.staff_client(app, "eli", "editor")
    staff.post_form(editor, "/inbox/unanswered/add", {"phrase": "how do i use narcan", "topic": "shelter", "lang": "en"},
                    page="/inbox/unanswered")
    page = editor.get("/inbox/unanswered").get_data(as_text=True)
    assert "Not added" in page and "The file is unchanged" in page
    assert topic.read_text() == before


def test_adding_examples_keeps_the_file_style():
    lines = 'id = "x"\n[en]\ntitle = "T"\nexamples = [\n  "one",\n  "two [b]",\n]\nanswer = "a"\n[fr]\nexamples = ["un"]\n'
    added = with_example(lines, "en", 'say "hi"')
    assert '  "two [b]",\n  "say \\"hi\\"",\n]' in added
    inline = with_example(lines, "fr", "deux")
    assert 'examples = ["un", "deux"]' in inline
    import tomllib
    assert tomllib.loads(added)["en"]["examples"] == ["one", "two [b]", 'say "hi"']
    with pytest.raises(EditRefused):
        with_example(lines, "es", "uno")


# -- topic report --------------------------------------------------------------------------------

def test_topic_report_counts_per_day_and_week_without_identities(app, real_redis):
    client = app.test_client()
    for i, body in enumerate(["where can i get narcan", "narcan?", "what is fentanyl", "who won the oilers game"]):
        sms_text(client, body, sender=f"+1780555070{i}")
    yesterday = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    real_redis.hincrby(report.key(yesterday), report.field("naloxone", "answer", False), 1)   # as bot.conversation.exchange counts
    labels, counts = report.series(real_redis, days=7)
    assert counts["naloxone"][-1] == 2 and counts["naloxone"][-2] == 1
    assert counts["fentanyl"][-1] == 1 and counts[report.NONE][-1] == 1
    editor = staff.staff_client(app, "eli", "editor")
    page = editor.get("/inbox/report").get_data(as_text=True)
    assert '<svg id="chart"' in page and 'data-topic="naloxone"' in page and "Naloxone" in page
    weekly = editor.get("/inbox/report?by=week").get_data(as_text=True)
    assert "-W" in weekly
    assert "+1780" not in page and "7805550700" not in page
    # 5 messages counted in 28 days, one of them the bot could not answer: never "5 answered".
    assert "5 messages in the last 28 days, per day; the bot had no answer for 1 of them." in page
    assert "answered" not in page.split("<figcaption>")[1].split("</figcaption>")[0]
    unanswered = editor.get("/inbox/unanswered").get_data(as_text=True)
    assert "in the last 30 days" in unanswered and "30.0" not in unanswered
