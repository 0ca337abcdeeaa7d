"""The spool's own promises: owner-only files in the user's state directory (not a shared temp path),
and a retried delivery while Redis is down answered with the first reply and kept once."""
import stat

from bot.privacy.sealed import Sealer
from bot.store.spool import Spool, default_folder
from tests.helpers import telegram_webhook
from tests.helpers.common import make_app
from tests.helpers.sms_webhook import form, post, sms_reply


def test_default_location_is_the_users_state_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_folder() == tmp_path / "state" / "hrbot" / "spool"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_folder() == tmp_path / "home" / ".local" / "state" / "hrbot" / "spool"


def test_files_are_the_owners_only_and_entries_kept_once(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)                 # a folder someone made too open is closed again
    spool = Spool(folder, Sealer(b"\x02" * 32))
    assert spool.put("ev1", "h" * 64, "sms", "+17805550000", "staff", "en", [("texter", "hi")], '{"a":1}') is None
    assert spool.put("ev1", "h" * 64, "sms", "+17805550000", "staff", "en", [("texter", "hi")], '{"b":2}') == '{"a":1}'
    assert spool.count() == 1
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.glob("spool.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_retried_sms_while_redis_is_down_is_answered_and_kept_once(engine, own_redis, recorder, tmp_path):
    app = make_app(engine, own_redis.client(), recorder, BOT_SPOOL_DIR=str(tmp_path / "spool"))
    app.extensions["services"].conversations.hours = None
    own_redis.stop()
    data = form("my friend is not breathing", sender="+17805550333")
    first = post(app.test_client(), data)
    again = post(app.test_client(), data)                  # Twilio retries the same MessageSid
    assert first.status_code == again.status_code == 200 and again.data == first.data
    assert b"911" in first.data and b"system is having trouble" in first.data
    update = telegram_webhook.message_update("i want to talk to staff", chat=55502)
    headers = {"X-Telegram-Bot-Api-Secret-Token": telegram_webhook.TELEGRAM_SECRET}
    tg_first = app.test_client().post("/telegram", json=update, headers=headers).get_json()
    assert app.test_client().post("/telegram", json=update, headers=headers).get_json() == tg_first
    spool = app.extensions["services"].conversations.spool
    assert spool.count() == 2
    own_redis.start()
    spool.look_every = 0
    assert app.extensions["services"].conversations.deliver_spooled() == 2
    assert len(app.extensions["services"].inbox.listing()) == 2
    # A retry now, with the store back, gets the reply it was given and opens nothing more.
    assert post(app.test_client(), data).data == first.data
    assert len(app.extensions["services"].inbox.listing()) == 2
    assert sms_reply(app.test_client(), "thanks", "+17805550333")   # the texter's next message is answered
