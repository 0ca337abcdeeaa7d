"""How the bot reads what people really text: one reading per message, shorthand in three languages,
emergencies from concepts and a learned model, the safety line when in doubt."""
import json

import pytest

from bot.messages import Message
from bot.state import State
from tests.conftest import ROOT


# -- normalisation that real texting needs -----------------------------------------------------------

@pytest.mark.parametrize("text,lang,expected", [
    ("jveux mourir", "fr", "je veux mourir"),
    ("chu pu capable", "fr", "je suis pu capable"),
    ("jpeux pas le reveiller", "fr", "je peux pas le reveiller"),
    ("jsais pas quoi faire", "fr", "je sais pas quoi faire"),
    ("y'est tout bleu astheure", "fr", "il est tout bleu maintenant"),
    ("q hago porfa", "es", "que hago por favor"),
    ("xq no despierta xfa", "es", "porque no despierta por favor"),
    ("respira re lento", "es", "respira muy lento"),
    ("he cant breathe rn pls", "en", "he cant breathe right now please"),
    ("smth wrong w my friend", "en", "something wrong with my friend"),
    ("HELPPPP!!! 😭😭", "en", "helpp"),
])
def test_texting_shorthand_is_read_per_language(engine, text, lang, expected):
    reading = engine.read(Message(text, lang=lang))
    assert " ".join(reading.expanded) == expected


def test_a_message_is_read_once_on_the_texters_path(engine, monkeypatch):
    """The conversation layer reads the message once (language, readings, alarm) and the reply uses
    that reading: the rate-limit alarm and the emergency follow-up do not normalise it again."""
    from bot import engine as engine_module
    from bot import store
    from bot.conversation import Conversations

    conversations = Conversations(engine, store.connect(""))
    calls = []
    real = engine_module.normalise
    monkeypatch.setattr(engine_module, "normalise", lambda text: calls.append(text) or real(text))
    reply = conversations.handle(Message("he's blue where do i get narcan", channel="sms", sender="a" * 64))
    assert reply.emergency and reply.followups
    assert calls == ["he's blue where do i get narcan"]


# -- emergencies: concepts, not sentences ----------------------------------------------------------------

EMERGENCIES = [
    # breathing slow or noisy, can't be woken, colour, collapse
    ("hes breathing like once every 10 sec??", "en"),
    ("she's hard to wake and her breathing sounds like snoring", "en"),
    ("cant wke him up", "en"),
    ("MY BROTHER IS BLUE", "en"),
    ("MON FRÈRE EST BLEU", "fr"),
    ("il ronfle bizarre pis jpeux pas le reveiller", "fr"),
    ("no lo puedo despertar y respira bien raro", "es"),
    # naloxone not working, or going back down
    ("gave him 2 narcan and still nothing", "en"),
    ("he woke up after the narcan but now hes going back down", "en"),
    ("jlui ai donné 2 narcan pis rien", "fr"),
    ("le dimos naloxona y despertó pero se está quedando dormido otra vez", "es"),
    # suicidal intent, plan or means now
    ("jveux mourir", "fr"),
    ("im on the bridge and im going to jump tonight", "en"),
    ("tengo las pastillas aqui y me las voy a tomar todas", "es"),
    # someone dying, now
    ("se está muriendo", "es"),
]


@pytest.mark.parametrize("text,lang", EMERGENCIES)
def test_emergencies_the_rules_never_named_are_recognised(ask, text, lang):
    reply = ask(text)
    assert reply.emergency and reply.escalate, text
    assert reply.lang == lang
    assert reply.text.startswith("911"), reply.text


CALM = [
    ("what are the signs of an overdose", "en"),
    ("i od'd last year and it scared me", "en"),
    ("what do i do if someone stops breathing", "en"),
    ("my phone is dead lol", "en"),
    ("je meurs de rire", "fr"),
    ("c'est quoi les signes d'une surdose", "fr"),
    ("me muero de hambre", "es"),
    ("mi amigo tuvo una sobredosis el año pasado, como lo ayudo", "es"),
]


@pytest.mark.parametrize("text,lang", CALM)
def test_questions_past_events_and_idioms_are_not_alarms(ask, text, lang):
    reply = ask(text)
    assert not reply.emergency and not reply.escalate, text


def test_opioid_signs_get_the_overdose_steps_even_when_a_stimulant_is_named(ask):
    """'Cool them down' is the wrong first step for someone who isn't breathing."""
    for text in ["we smoked meth all night and now hes not breathing",
                 "did a line of coke and now my friend is blue and not moving"]:
        reply = ask(text)
        assert reply.emergency and reply.topic == "overdose", (text, reply.topic)
        assert "naloxone" in reply.text.lower()


def test_every_known_emergency_example_is_detected(engine):
    """The editors' emergency example sets, in every language: the content check refuses any edit
    that loses one; here the shipped content is held to it."""
    missed = [(lang, text) for lang, cases in engine.content.emergencies.items() for _, text in cases
              if engine.read(Message(text, lang=lang)).alarm is None]
    total = sum(len(c) for c in engine.content.emergencies.values())
    assert total >= 500 and set(engine.content.emergencies) == {"en", "fr", "es"}
    assert not missed, missed[:10]


# -- the safety line when in doubt ------------------------------------------------------------------------

@pytest.mark.parametrize("text,lang", [
    ("if someone is snoring after using is that bad", "en"),
    ("what does it mean if lips go blue", "en"),
    ("est-ce que ronfler apres avoir consommé c'est grave", "fr"),
    ("es malo si alguien ronca despues de usar", "es"),
])
def test_danger_words_without_an_emergency_lead_with_the_safety_line(engine, text, lang):
    reply = engine.reply(Message(text, channel="sms"), State())
    assert not reply.emergency and not reply.escalate, text
    assert reply.caution
    line = engine.notice(lang, "safety_line")
    assert "911" in line and reply.text.startswith(line), reply.text
    assert reply.lang == lang


def test_no_safety_line_without_danger_words(ask):
    for text in ["where can i get narcan", "hi", "thanks so much"]:
        reply = ask(text)
        assert not reply.caution and "911 now" not in reply.text.split("\n")[0], text


# -- the learned topic model -----------------------------------------------------------------------------

def test_the_topic_model_is_trained_from_the_editors_phrasings(engine):
    """Every topic's examples and content/training phrasings, in three languages, train it; it
    carries over to a phrasing no keyword names."""
    assert engine.topic_model is not None
    assert {"en", "fr", "es"} <= set(engine.content.training)
    assert sum(len(p) for t in engine.content.training.values() for p in t.values()) >= 3000
    reply = engine.reply(Message("been clean 3 weeks gonna use tonight how much"), State())
    assert reply.topic == "tolerance", reply.topic


def test_the_held_out_sets_score_what_the_readme_says():
    """bench/eval.py on the blind set the team tuned on: a guard against regressions, not the judge
    (the README reports the unseen set)."""
    import subprocess
    import sys
    files = sorted(str(p) for p in (ROOT / "tests" / "data" / "blind").glob("setA_*.jsonl"))
    assert len(files) == 3
    run = subprocess.run([sys.executable, "bench/eval.py", "--no-anchors", "--json", *files], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    scores = json.loads(run.stdout.strip().splitlines()[-1])
    for lang in ("en", "fr", "es"):
        assert scores[lang]["emergency_recall"] >= 0.95, scores
        assert scores[lang]["false_alarms"] <= 0.06, scores
        assert scores[lang]["right_topic"] >= 0.75, scores
