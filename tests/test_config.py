"""A bad config stops start-up with the key and what is wrong."""
import subprocess
import sys
import tomllib

import pytest

from bot import config as config_module
from tests.helpers.common import ROOT


def base():
    with open(ROOT / "config.toml", "rb") as f:
        return tomllib.load(f)


@pytest.mark.parametrize("change,key", [
    (lambda d: d["organisation"].pop("name"), "organisation.name"),
    (lambda d: d["numbers"].pop("emergency"), "numbers.emergency"),
    (lambda d: d["numbers"].update(crisis=988), "numbers.crisis"),
    (lambda d: d["matching"].update(answer=1.5), "matching.answer"),
    (lambda d: d["matching"].update(answer="high"), "matching.answer"),
    (lambda d: d["matching"].update(suggest=0.9, answer=0.5), "matching.suggest"),
    (lambda d: d["languages"].update(enabled=["en", "de"]), "languages.enabled"),
    (lambda d: d["languages"].update(default="es", enabled=["en"]), "languages.default"),
    (lambda d: d["retention"].update(state_hours=-1), "retention.state_hours"),
    (lambda d: d["services"].update(emergency="x"), "emergency"),
    (lambda d: d["services"]["fr"].update(naloxone_were="x"), "services.fr.naloxone_were"),
    (lambda d: d["services"]["es"].update(shelter_where=""), "services.es.shelter_where"),
    (lambda d: d["services"].update(de={"naloxone_where": "x"}), "services.de"),
])
def test_bad_values_name_the_key(change, key):
    data = base()
    change(data)
    with pytest.raises(config_module.ConfigError) as err:
        config_module.parse(data)
    assert key in str(err.value)


def test_good_config_parses():
    cfg = config_module.parse(base())
    assert cfg.emergency_number == "911"
    assert cfg.placeholders()["org"] == cfg.org_name


def test_start_up_refuses_a_broken_config(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text((ROOT / "config.toml").read_text().replace('answer = 0.7', 'answer = 7'))
    (tmp_path / "content").symlink_to(ROOT / "content")
    run = subprocess.run([sys.executable, "-m", "bot", "ask", "hello"], cwd=ROOT, capture_output=True, text=True,
                         env={"BOT_CONFIG": str(bad), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert run.returncode == 2
    assert "matching.answer" in run.stderr


def test_other_numbers_come_from_config(tmp_path):
    """Another city changes files, not code: the emergency number flows into every reply."""
    data = base()
    data["numbers"]["emergency"] = "112"
    cfg = config_module.parse(data, ROOT / "content")
    from bot.conversation.conversations import build_engine
    from bot.messages import Message
    from bot.store.state import State
    engine = build_engine(cfg)
    reply = engine.reply(Message("my friend is not breathing"), State())
    assert reply.text.startswith("112")
    assert "911" not in reply.text


def test_services_are_sent_in_the_texter_s_language():
    """A French answer is French all through; an English one, or a topic not yet translated, keeps the
    English text; a service with no translation falls back to the text in [services]."""
    from bot.conversation.conversations import build_engine
    from bot.messages import Message
    from bot.store.state import State
    data = base()
    del data["services"]["es"]["naloxone_where"]
    engine = build_engine(config_module.parse(data, ROOT / "content"))

    def whole(text, lang):
        state = State(lang=lang, lang_chosen=True)
        reply = engine.reply(Message(text, lang=lang), state)
        return " ".join([reply.text, *state.more])
    fr, en = data["services"]["fr"], data["services"]
    assert fr["naloxone_where"] in whole("ou trouver de la naloxone", "fr")
    assert en["naloxone_where"] not in whole("ou trouver de la naloxone", "fr")
    assert en["naloxone_where"] in whole("where can i get naloxone", "en")
    assert en["naloxone_where"] in whole("donde consigo naloxona", "es")     # no Spanish text in this config
    del data["services"]["fr"]["supplies_where"]
    engine = build_engine(config_module.parse(data, ROOT / "content"))
    assert en["supplies_where"] in whole("ou trouver des seringues gratuites", "fr")   # no French text for it


def test_app_refuses_to_start_half_configured(engine, monkeypatch):
    """A persistent store with a throw-away key, or a malformed address key, stops start-up with the fix."""
    import pytest

    from bot.config import ConfigError
    from handlers.web import create_app
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/13")
    monkeypatch.delenv("BOT_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="BOT_SECRET_KEY must be set"):
        create_app({"ENGINE": engine})
    monkeypatch.setenv("BOT_SECRET_KEY", "s" * 64)
    monkeypatch.setenv("BOT_ADDRESS_KEY", "not-hex")
    with pytest.raises(ConfigError, match="64 hex characters"):
        create_app({"ENGINE": engine})
    monkeypatch.setenv("BOT_ADDRESS_KEY", "ab" * 16)     # hex, but 16 bytes
    with pytest.raises(ConfigError, match="64 hex characters"):
        create_app({"ENGINE": engine})
    monkeypatch.setenv("BOT_ADDRESS_KEY", "ab" * 32)
    assert create_app({"ENGINE": engine}).extensions["services"].inbox is not None


def test_short_secrets_stop_start_up_with_a_clear_message(engine, monkeypatch):
    import pytest

    from bot.config import ConfigError
    from handlers.web import create_app
    monkeypatch.delenv("REDIS_URL", raising=False)
    for name in ("BOT_SECRET_KEY", "TELEGRAM_WEBHOOK_SECRET", "METRICS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_SECRET_KEY", "a")
    with pytest.raises(ConfigError, match="BOT_SECRET_KEY is 1 characters; it must be at least 32"):
        create_app({"ENGINE": engine})
    monkeypatch.setenv("BOT_SECRET_KEY", "s" * 32)
    for name, least in (("TELEGRAM_WEBHOOK_SECRET", 16), ("METRICS_TOKEN", 16)):
        monkeypatch.setenv(name, "x")
        with pytest.raises(ConfigError, match=f"{name} is 1 characters; it must be at least {least}"):
            create_app({"ENGINE": engine})
        monkeypatch.setenv(name, "x" * least)
    assert create_app({"ENGINE": engine}).config["METRICS_TOKEN"] == "x" * 16


def test_metrics_token_is_required_exactly(engine, monkeypatch):
    from handlers.web import create_app
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("METRICS_TOKEN", "m" * 20)
    client = create_app({"ENGINE": engine}).test_client()
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer " + "m" * 19}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer " + "m" * 20}).status_code == 200


def test_phone_region_must_be_a_country(tmp_path):
    import pytest

    from bot.config import ConfigError
    data = tomllib.loads((ROOT / "config.toml").read_text())
    data["privacy"] = {"phone_region": "Canada"}
    with pytest.raises(ConfigError, match="privacy.phone_region"):
        config_module.parse(data, ROOT / "content")


# -- misspelt and wrong keys: the operator is told the dotted path and the line ------------------

def _broken(tmp_path, old, new):
    """config.toml with one edit, written to a file so its lines can be pointed at."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "config.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = next(n for n, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new.split("\n")[0] in ln)
    return path, line


def test_a_misspelt_section_is_named_with_its_line(tmp_path):
    path, line = _broken(tmp_path, "[matching]", "[matchng]")
    with pytest.raises(config_module.ConfigError) as err:
        config_module.load(path)
    assert f"config.toml line {line}: unknown section `[matchng]` (did you mean `matching`?)" in str(err.value)


def test_a_misspelt_key_is_named_with_its_dotted_path_and_line(tmp_path):
    path, line = _broken(tmp_path, "state_hours = 72", "state_hour = 72")
    with pytest.raises(config_module.ConfigError) as err:
        config_module.load(path)
    assert str(err.value) == (f"config.toml line {line}: unknown key `retention.state_hour` "
                              "(did you mean `state_hours`?)")


def test_a_misspelt_day_in_an_inline_table_points_at_its_line(tmp_path):
    path, line = _broken(tmp_path, 'sat = "12:00-18:00"', 'sta = "12:00-18:00"')   # in hours = { ... }
    with pytest.raises(config_module.ConfigError) as err:
        config_module.load(path)
    assert f"line {line}: unknown key `staff.hours.sta` (did you mean `sat`?)" in str(err.value)


def test_a_wrong_type_is_named_with_its_line_and_the_fix(tmp_path):
    path, line = _broken(tmp_path, "max_segments = 2", 'max_segments = "2"')
    with pytest.raises(config_module.ConfigError) as err:
        config_module.load(path)
    assert str(err.value) == (f"config.toml line {line}: `sms.max_segments` must be a whole number, got '2'; "
                              "write it without quotes, like 3")


def test_every_problem_is_listed_in_line_order(tmp_path):
    path, _ = _broken(tmp_path, "[matching]", "[matchng]")
    text = path.read_text(encoding="utf-8").replace("level = \"INFO\"", "level = \"LOUD\"")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(config_module.ConfigError) as err:
        config_module.load(path)
    lines = str(err.value).splitlines()
    assert len(lines) == 2 and "[matchng]" in lines[0] and "`logging.level` must be one of" in lines[1]
    numbers = [int(ln.split(" line ")[1].split(":")[0]) for ln in lines]
    assert numbers == sorted(numbers)


def test_start_up_names_the_misspelt_key(tmp_path):
    path, line = _broken(tmp_path, "state_hours = 72", "state_hour = 72")
    (tmp_path / "content").symlink_to(ROOT / "content")
    run = subprocess.run([sys.executable, "-m", "bot", "ask", "hello"], cwd=ROOT, capture_output=True, text=True,
                         env={"BOT_CONFIG": str(path), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert run.returncode == 2
    assert f"line {line}: unknown key `retention.state_hour`" in run.stderr
