"""How the bot reads what people really text: one reading per message, shorthand in three languages,
emergencies from concepts and a learned model, the safety line when in doubt."""
import json

import pytest

from bot.messages import Message
from bot.store.state import State
from tests.helpers.common import ROOT

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
    from bot.conversation.conversations import Conversations
    from bot.engine import core as engine_module
    from bot.store import connection as store

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
    """bench/eval.py on the blind sets, all tuned on by now: a guard against regressions, not the judge
    (the README says which set was unseen when scored, and what it gave then)."""
    import subprocess
    import sys
    files = sorted(str(p) for p in (ROOT / "tests" / "data" / "blind").glob("set*.jsonl"))
    assert len(files) == 36   # sets A to L, in English, French and Spanish
    run = subprocess.run([sys.executable, "bench/eval.py", "--no-anchors", "--json", *files], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    scores = json.loads(run.stdout.strip().splitlines()[-1])
    for lang in ("en", "fr", "es"):
        assert scores[lang]["emergency_recall"] >= 0.98, scores
        assert scores[lang]["false_alarms"] <= 0.03, scores
        assert scores[lang]["right_topic"] >= 0.88, scores


@pytest.mark.parametrize("text,lang", [
    ("i took too many pills", "en"),
    ("i took a bunch of pills to end it", "en"),
    ("i overdosed on purpose", "en"),
    ("i just took a whole bottle of pills", "en"),
    ("jai pris genre 30 tylenol y a 20 min", "fr"),
    ("j'ai pris toutes mes pilules pour en finir", "fr"),
    ("me tome como 30 pastillas de tylenol hace un rato", "es"),
    ("me tomé todas las pastillas para acabar con todo", "es"),
])
def test_a_possible_suicide_attempt_gets_the_crisis_reply(ask, text, lang):
    """Pills by the handful, or on purpose: 911 first, then the crisis line; never GHB dosing tips
    ("whole" is not "ghole")."""
    reply = ask(text)
    assert reply.emergency and reply.topic == "mental-health-crisis", (text, reply.topic)
    assert reply.lang == lang and reply.text.startswith("911")


@pytest.mark.parametrize("text", ["narcan didn't work", "naloxone didn't work", "gave 2 narcan and hes still blue",
                                  "le narcan marche pas", "la naloxona no funciona"])
def test_naloxone_not_working_is_the_overdose_emergency(ask, text):
    """During a live overdose: another dose after 2-3 minutes, breathing, 911; not the xylazine page."""
    reply = ask(text)
    assert reply.emergency and reply.topic == "overdose", (text, reply.topic)
    assert reply.text.startswith("911")


def test_someone_overdosing_themselves_gets_their_own_steps(engine):
    """Not a bystander's steps: call now (or NORS), unlock the door."""
    for text, lang, door in [("i think im overdosing i cant feel my legs", "en", "door"),
                             ("je pense que je fais une overdose", "fr", "porte"),
                             ("creo que tengo una sobredosis no siento las piernas", "es", "puerta")]:
        reply = engine.reply(Message(text), State())
        assert reply.emergency and reply.topic == "overdose", text
        own = engine.content.topics["overdose"].texts[lang].emergency_self
        assert own and door in own.lower() and reply.text.startswith("911"), (text, reply.text)
        assert door in reply.text.lower(), (text, reply.text)


def test_every_emergency_reply_carries_the_universal_steps(engine):
    """Whatever the kind, in every language: the emergency number first, and the universal-step
    markers the content check holds emergency texts to (naloxone, breathing, side, stay...) within the
    first SMS the texter receives."""
    import tomllib

    from bot.content.load import render
    from bot.text.normalise import normalise
    cases = {"en": ["my friend isnt breathing", "he took meth and is having a seizure",
                    "she drank a bottle of vodka and wont wake up", "i want to kill myself"],
             "fr": ["mon ami respire plus", "il a pris du speed pis il fait des convulsions",
                    "elle a bu une bouteille de vodka pis se reveille pas", "je veux mourir"],
             "es": ["mi amigo no respira", "tomo cristal y esta convulsionando",
                    "tomo una botella de tequila y no despierta", "me quiero matar"]}
    for lang, texts in cases.items():
        data = tomllib.loads((engine.config.content_dir / "lang" / f"{lang}.toml").read_text(encoding="utf-8"))
        section = data["universal_steps_markers"]
        kinds = set()
        for text in texts:
            reply = engine.reply(Message(text, channel="sms"), State())
            assert reply.emergency and reply.lang == lang, text
            assert reply.text.startswith(engine.config.emergency_number), reply.text
            kinds.add(reply.topic)
            first_sms = normalise(reply.text[:153])
            wanted = section.get(reply.topic) or section["emergency"]
            missing = [m for m in wanted if normalise(render(m, engine.values[lang])) not in first_sms]
            assert not missing, (lang, text, missing, reply.text)
        assert kinds >= {"overdose", "stimulant-overamp", "alcohol-poisoning", "mental-health-crisis"}, (lang, kinds)


@pytest.mark.parametrize("text", [
    "anything i shouldnt mix with methadone?",
    "quoi éviter de prendre avec la méthadone",
    "que no debo mezclar con la metadona",
])
def test_one_substance_with_the_other_left_open_offers_mixing_first(ask, text):
    """"What can I take with X": a question about mixing, offered first beside X's own topic."""
    reply = ask(text)
    assert reply.topic == "mixing" and not reply.emergency, (text, reply.topic)


@pytest.mark.parametrize("text", ["k", "K", "e", "g"])
def test_a_lone_letter_is_not_a_topic(ask, text):
    """"k" is texting for "ok": one-letter slang names a drug only beside other words."""
    reply = ask(text)
    assert reply.topic is None and not reply.emergency, (text, reply.topic)


@pytest.mark.parametrize("text,topic", [("k hole", "ketamine"), ("special k", "ketamine")])
def test_one_letter_slang_beside_other_words_still_names_its_topic(ask, text, topic):
    assert ask(text).topic == topic


@pytest.mark.parametrize("text", [
    "trying to cut down on drinking",
    "how do i start cutting down on the booze",
])
def test_cutting_down_is_not_the_opioid_down(engine, text):
    """"Down" is opioid slang, but "cut down" is about using less: no mixing answer for it."""
    reading = engine.read(Message(text))
    assert engine.mixing.question(" ".join(reading.corrected), reading.corrected) is None


@pytest.mark.parametrize("text,lang", [
    ("agent", "en"),
    ("need to talk to somebody real about getting on methadone, just got out of jail yesterday", "en"),
    ("is there an outreach person who can call me back?", "en"),
    ("je voudrais parler a un intervenant pour ma consommation", "fr"),
    ("quiero hablar con una persona real sobre la chiva", "es"),
])
def test_a_request_for_a_person_reaches_staff_whatever_else_it_names(ask, text, lang):
    """content/lang/*.toml `asks_for_person`: talk-to-staff first, and the staff escalation, even when
    the message also names a topic ("about getting on methadone")."""
    reply = ask(text, lang=lang)
    assert reply.topic == "talk-to-staff" and reply.escalate, (text, reply.topic)


def test_talking_to_your_kid_is_not_a_request_for_staff(ask):
    assert ask("how do i talk to my kid about drugs").topic != "talk-to-staff"


@pytest.mark.parametrize("text,lang,line", [
    ("hay algun lugar en edmonton donde hablen espanol y ayuden con lo de las drogas?", "es", "170 idiomas"),
    ("ya tu des organismes en francais a edmonton pour les gens qui consomment", "fr", "170 langues"),
])
def test_services_in_ones_own_language_are_local_services_with_211(talk, text, lang, line):
    """Asked for services in Spanish or French: local services, whose next page says 211 answers in
    more than 170 languages (sourced in local-services.toml)."""
    reply = talk(text)
    assert reply.topic == "local-services" and reply.lang == lang, (text, reply.topic)
    pages = [reply.text]
    while line not in pages[-1] and len(pages) < 4:
        pages.append(talk("more" if lang == "en" else {"fr": "plus", "es": "mas"}[lang]).text)
    assert line in pages[-1], pages


def test_a_greeting_word_is_filler_beside_a_question(ask):
    """Hello in Punjabi alone is a greeting; before a question it is filler (a stopword), as "hi" is."""
    assert ask("sat sri akal").topic == "greeting"
    assert ask("Sat sri akal. My younger brother moved to Edmonton with me, where can he get treatment").topic != "greeting"
