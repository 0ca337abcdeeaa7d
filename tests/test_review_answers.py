"""The questions of the content review (issue 15), asked through the real engine in English, French
and Spanish: each must reach the right topic and say the important thing first."""
import pytest

from bot.text import segments
from bot.text.normalise import normalise


def first_sms(reply) -> str:
    """What the first of the SMS carries, in plain letters (as the content check compares)."""
    return normalise(segments.split_segments(segments.to_gsm7(reply.text))[0])


def says(reply, *phrases) -> bool:
    text = normalise(segments.to_gsm7(" ".join([reply.text, *reply.followups])))
    return all(normalise(p) in text for p in phrases)


PEP = [("shared a needle yesterday", "en", "emergency department now"),
       ("j'ai partagé une seringue hier", "fr", "urgence maintenant"),
       ("compartí una jeringa ayer", "es", "urgencias ya")]


@pytest.mark.parametrize("question,lang,go_now", PEP)
def test_a_shared_needle_gets_go_now_for_pep_first(ask, question, lang, go_now):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("hiv-hep-c", lang), reply
    first = first_sms(reply)
    assert normalise(go_now) in first and "72" in first, first
    assert "hep" not in first[:first.index(normalise(go_now))]    # hep C cures come after


@pytest.mark.parametrize("question,lang,words", [
    ("good samaritan law canada", "en", ["warrants", "trafficking", "production"]),
    ("loi du bon samaritain au canada", "fr", ["mandats", "trafic", "production"]),
    ("ley del buen samaritano canadá", "es", ["órdenes de arresto", "tráfico", "producción"]),
])
def test_good_samaritan_says_what_it_does_not_cover_in_the_first_message(ask, question, lang, words):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("good-samaritan", lang)
    assert says(reply, *words), reply.text


@pytest.mark.parametrize("lang,wrong,right", [
    ("fr", "cuver seule", "dormir pour cuver"),
    ("es", "sola a dormir", "no la dejes dormir la borrachera"),
])
def test_alcohol_poisoning_translations_say_dont_let_them_sleep_it_off(engine, lang, wrong, right):
    text = engine.content.topics["alcohol-poisoning"].texts[lang]
    for part in (text.answer, text.emergency):
        assert normalise(wrong) not in normalise(part)
        assert normalise(right) in normalise(part)


@pytest.mark.parametrize("question,lang,warning", [
    ("can i start bupe if im still using", "en", "precipitated"),
    ("je peux commencer le suboxone si je consomme encore", "fr", "précipité"),
    ("puedo empezar el suboxone si todavía estoy usando", "es", "precipitada"),
])
def test_starting_buprenorphine_warns_about_precipitated_withdrawal(ask, question, lang, warning):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("starting-suboxone", lang)
    assert normalise(warning) in first_sms(reply)


@pytest.mark.parametrize("question,lang,warning", [
    ("what is oat", "en", "sudden withdrawal"),
    ("c'est quoi le tao", "fr", "manque soudain"),
    ("quiero bajarle al consumo poco a poco", "es", "abstinencia repentina"),
])
def test_treatment_warns_about_starting_suboxone_too_soon(ask, question, lang, warning):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("treatment", lang)
    assert says(reply, warning)


@pytest.mark.parametrize("question,lang,opioid,alcohol", [
    ("signs of opioid withdrawal", "en", "dope sick", "alcohol"),
    ("im dope sick", "en", "dope sick", "alcohol"),
    ("signes de sevrage aux opioïdes", "fr", "manque d'opioides", "alcool"),
    ("síntomas de abstinencia de opioides", "es", "malilla de opioides", "alcohol"),
])
def test_opioid_withdrawal_comes_before_the_alcohol_and_benzo_warning(ask, question, lang, opioid, alcohol):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("withdrawal", lang)
    text = normalise(segments.to_gsm7(reply.text))
    assert text.index(normalise(opioid)) < 5 < text.index(normalise(alcohol)), text


@pytest.mark.parametrize("question,lang", [
    ("how much water for test strips", "en"),
    ("combien d'eau pour les bandelettes avec de la meth", "fr"),
    ("cuánta agua para las tiras reactivas con cristal", "es"),
])
def test_test_strips_give_the_amount_of_water_for_meth_and_mdma(ask, question, lang):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("fentanyl-test-strips", lang)
    assert "50 ml" in normalise(reply.text) and "mdma" in normalise(reply.text)


@pytest.mark.parametrize("lang,dont_hold", [("en", "hold them down or sit on them"), ("fr", "ne la retiens pas"),
                                            ("es", "no la sujetes")])
def test_overamp_first_sms_has_the_awake_hot_agitated_case(engine, ask, lang, dont_hold):
    text = engine.content.topics["stimulant-overamp"].texts[lang]
    for part in (text.answer, text.emergency):
        first = normalise(segments.split_segments(segments.to_gsm7(part))[0])
        assert normalise(dont_hold) in first, (lang, part)


@pytest.mark.parametrize("question,lang,not_said,said", [
    ("do pharmacies give out syringes", "en", "most pharmacies", "harm-reduction programs"),
    ("est-ce que les pharmacies donnent des seringues", "fr", "la plupart des pharmacies; ecris", "reduction des mefaits"),
    ("las farmacias dan jeringas", "es", "la mayoria de las farmacias; escribe", "reduccion de danos"),
])
def test_supplies_do_not_say_pharmacies_give_needles(ask, question, lang, not_said, said):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("supplies", lang)
    assert not says(reply, not_said) and says(reply, said)


@pytest.mark.parametrize("question,lang", [
    ("my kid ate an edible", "en"),
    ("mon enfant a mangé un comestible au thc", "fr"),
    ("mi hijo se comió una gomita de thc", "es"),
])
def test_a_child_who_ate_an_edible_gets_the_poison_line(ask, cfg, question, lang):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("cannabis", lang)
    assert cfg.numbers["poison"] in reply.text and "PADIS" in reply.text


@pytest.mark.parametrize("question,lang,topic", [
    ("someone spiked my drink", "en", "drink-spiking"),
    ("quelqu'un a drogué mon verre", "fr", "drink-spiking"),
    ("alguien me echó algo en la bebida", "es", "drink-spiking"),
    ("what do i do after a sexual assault", "en", "drink-spiking"),
])
def test_drink_spiking_and_sexual_assault_have_an_answer(ask, cfg, question, lang, topic):
    reply = ask(question)
    assert (reply.topic, reply.lang) == (topic, lang)
    assert cfg.numbers["sexual_assault"] in reply.text and cfg.numbers["emergency"] in reply.text


@pytest.mark.parametrize("question,lang", [
    ("found a needle in the park what do i do", "en"), ("got poked by a used needle", "en"),
    ("j'ai trouvé une seringue dans le parc quoi faire", "fr"), ("encontré una jeringa en el parque qué hago", "es"),
])
def test_a_found_needle_is_not_the_abscess_answer(ask, question, lang):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("needles-found", lang)
    assert "72" in reply.text


@pytest.mark.parametrize("question,lang,call", [
    ("how do i use narcan", "en", "call 911"), ("comment donner le narcan", "fr", "appelle le 911"),
    ("como uso la naloxona", "es", "llama al 911"),
])
def test_naloxone_starts_with_call_911_and_says_where(ask, cfg, question, lang, call):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("naloxone", lang)
    first = first_sms(reply)
    assert normalise(call) in first[:40]
    where = cfg.placeholders(lang)["naloxone_where"]
    assert normalise(segments.to_gsm7(where))[:25] in first


def test_where_to_get_naloxone_says_where_in_the_first_sms(ask, cfg):
    reply = ask("where can i get a free naloxone kit")
    assert reply.topic == "naloxone"
    assert normalise(cfg.placeholders("en")["naloxone_where"]) in first_sms(reply)


@pytest.mark.parametrize("lang,never", [("en", "never mix"), ("fr", "jamais avec"), ("es", "nunca la mezcles")])
def test_ketamine_offers_options_not_prohibitions(engine, lang, never):
    text = engine.content.topics["ketamine"].texts[lang]
    assert normalise(never) not in normalise(text.answer)


@pytest.mark.parametrize("question,lang,now", [
    ("my friend is on a bad trip what do i do", "en", "bad trip now"),
    ("mon ami fait un bad trip quoi faire", "fr", "bad trip en cours"),
    ("mi amigo tiene un mal viaje qué hago", "es", "mal viaje ahora"),
])
def test_a_bad_trip_in_progress_gets_what_to_do_now(ask, question, lang, now):
    reply = ask(question)
    assert (reply.topic, reply.lang) == ("psychedelics", lang)
    assert first_sms(reply).startswith(normalise(now))


@pytest.mark.parametrize("question,lang", [
    ("my friend isnt breathing", "en"), ("mon ami ne respire plus", "fr"), ("mi amigo no respira", "es"),
])
def test_overdose_emergency_first_sms_has_every_universal_step(ask, engine, question, lang):
    """As an emergency reply is sent: 911, naloxone, another dose, breaths, side, stay; no 'wait'."""
    reply = ask(question)
    assert (reply.kind, reply.topic, reply.lang) == ("emergency", "overdose", lang)
    first = first_sms(reply)
    values = engine.values[lang]
    for marker in engine.content.languages[lang].steps["overdose"]:
        assert normalise(marker.format(**values)) in first, (marker, first)
    assert "wait" not in normalise(reply.text) and "attends" not in normalise(reply.text)


@pytest.mark.parametrize("lang,door", [("en", "unlock the door"), ("fr", "deverrouille la porte"),
                                       ("es", "quita el seguro de la puerta")])
def test_overdose_has_the_texters_own_steps(engine, lang, door):
    text = engine.content.topics["overdose"].texts[lang].emergency_self
    first = normalise(segments.split_segments(segments.to_gsm7(text.format(**engine.values[lang])))[0])
    assert first.startswith(engine.config.emergency_number)
    assert normalise(door) in first and engine.config.numbers["nors"] in text.format(**engine.values[lang])


@pytest.mark.parametrize("lang,english", [("fr", "reply more"), ("es", "reply more")])
def test_french_and_spanish_replies_never_end_in_english(engine, lang, english):
    """Every topic with `more`, answered on SMS in French or Spanish, asks for MORE in that language."""
    from bot.messages import Message
    from bot.store.state import State
    prompt = engine.content.languages[lang].text["more_prompt"]
    for topic in engine.content.topics.values():
        if lang not in topic.texts:
            continue
        reply = engine._answer_topic(topic.id, lang, State(lang=lang, lang_chosen=True), Message("x", channel="sms"))
        assert english not in normalise(reply.text), topic.id
        if reply.has_more:
            assert reply.text.endswith(prompt), (topic.id, reply.text)


NEW_TOPICS = ["starting-suboxone", "local-services", "needles-found", "basic-needs", "sexual-health", "youth",
              "drink-spiking", "safe-supply", "nitazenes", "pregnancy", "cold-weather"]


@pytest.mark.parametrize("topic_id", NEW_TOPICS)
def test_new_topics_are_complete_in_three_languages(engine, topic_id):
    import datetime as dt
    topic = engine.content.topics[topic_id]
    assert topic.sources and topic.reviewed == dt.date(2026, 11, 30) and topic.related
    for lang in ("en", "fr", "es"):
        text = topic.texts[lang]
        assert text.title and text.keywords and 6 <= len(text.examples) <= 10, (topic_id, lang)
