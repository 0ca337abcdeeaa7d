"""A bad config stops start-up with the key and what is wrong."""
import subprocess
import sys
import tomllib

import pytest

from bot import config as config_module
from tests.conftest import ROOT


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
    from bot.conversation import build_engine
    from bot.messages import Message
    from bot.state import State
    engine = build_engine(cfg)
    reply = engine.reply(Message("my friend is not breathing"), State())
    assert reply.text.startswith("112")
    assert "911" not in reply.text
