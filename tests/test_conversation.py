"""Commands and navigation: HELP, MENU, numbers, did-you-mean, MORE, STOP/START, language."""
from bot.text import segments


def test_help_names_org_stop_and_emergency(ask, engine):
    reply = ask("HELP")
    assert reply.topic == "help"
    assert engine.config.org_name in reply.text
    assert "STOP" in reply.text and "911" in reply.text


def test_info_is_help(ask):
    assert ask("info").topic == "help"


def test_menu_then_number_picks_a_topic(talk, engine):
    menu = talk("MENU")
    assert menu.kind == "command" and menu.choices
    second = menu.choices[1]
    assert f"2 {second.title}" in menu.text
    reply = talk("2")
    assert reply.topic == second.topic and reply.kind == "answer"


def test_number_without_menu_is_explained(talk):
    reply = talk("7")
    assert reply.topic is None and "MENU" in reply.text


def test_more_gives_the_next_part_then_says_it_is_done(talk):
    first = talk("how does naloxone work")
    assert first.topic == "naloxone" and first.has_more and "MORE" in first.text
    second = talk("more")
    assert second.kind == "more" and second.text != first.text
    while second.has_more:
        second = talk("MORE")
    done = talk("more")
    assert "all I have" in done.text


def test_sms_first_reply_fits_two_segments_but_telegram_gets_more(ask):
    sms = ask("how does naloxone work", channel="sms")
    telegram = ask("how does naloxone work", channel="telegram")
    assert segments.segment_count(segments.to_gsm7(sms.text)) <= 2
    assert len(telegram.text) > len(sms.text)


def test_stop_then_silence_then_start(talk):
    stop = talk("STOP")
    assert stop.topic == "stop" and "START" in stop.text
    assert talk("menu").kind == "silent"
    assert talk("hello").kind == "silent"
    back = talk("START")
    assert back.kind == "command" and "STOP" in back.text
    assert talk("menu").kind == "command"


def test_opt_out_words(ask):
    for word in ["stop", "STOPALL", "Unsubscribe", "cancel", "end", "quit", "arret", "parar"]:
        assert ask(word).topic == "stop", word


def test_stop_inside_a_sentence_is_not_an_opt_out(ask):
    assert ask("how do i stop using meth").topic != "stop"


def test_language_switch_sticks(talk):
    assert talk("francais").lang == "fr"
    reply = talk("naloxone")
    assert reply.lang == "fr" and reply.topic == "naloxone"
    assert talk("menu").text.startswith("Sujets")
    assert talk("english").lang == "en"


def test_language_is_detected(ask):
    assert ask("donde consigo naloxona").lang == "es"
    assert ask("comment utiliser la naloxone").lang == "fr"
    assert ask("how to use naloxone").lang == "en"


def english_only(cfg, tmp_path, topic_id):
    """An engine over a copy of the content where one topic has only its English section."""
    import dataclasses
    import shutil

    from bot.conversation.conversations import build_engine
    copy = tmp_path / "content"
    shutil.copytree(cfg.content_dir, copy)
    path = copy / "topics" / f"{topic_id}.toml"
    path.write_text(path.read_text().split("\n[fr]")[0].split("\n[es]")[0])
    must = tuple(t for t in cfg.must_translate if t != topic_id)
    return build_engine(dataclasses.replace(cfg, content_dir=copy, must_translate=must))


def test_untranslated_topic_falls_back_to_english_and_says_so(cfg, tmp_path):
    from bot.messages import Message
    from bot.store.state import State
    engine = english_only(cfg, tmp_path, "ketamine")
    reply = engine.reply(Message("c'est quoi la kétamine et est-ce que c'est dangereux", channel="telegram", lang="fr"), State())
    assert reply.topic == "ketamine" and reply.lang == "fr"
    assert "anglais" in reply.text
    assert engine.content.topics["ketamine"].texts["en"].answer.split(".")[0] in reply.text


def test_unknown_says_so_offers_menu_and_staff(talk):
    reply = talk("what time is it in tokyo", channel="telegram")
    assert reply.topic is None and reply.kind == "unknown"
    assert "don't have an answer" in reply.text
    assert "STAFF" in reply.text and "911" in reply.text
    assert reply.choices  # the menu, so a number works next
    assert talk("1", channel="telegram").topic == reply.choices[0].topic


def test_unknown_on_sms_stays_within_two_segments_and_points_to_menu(talk, engine):
    from bot.text import segments
    reply = talk("what time is it in tokyo")
    assert reply.kind == "unknown" and "don't have an answer" in reply.text
    assert "MENU" in reply.text and "STAFF" in reply.text and "911" in reply.text
    assert segments.segment_count(segments.to_gsm7(reply.text)) <= engine.config.sms_max_segments
    assert talk("menu").choices, "MENU then lists the topics"


def test_repeated_misses_escalate(talk):
    talk("qwerty zxcv")
    talk("xyzzy plugh")
    assert talk("lorem ipsum dolor").escalate


def test_did_you_mean_offers_numbered_choices(talk, engine):
    reply = talk("fentanyl overdose")   # two topics fit equally well: ask, don't guess
    assert reply.kind == "suggest"
    assert {c.topic for c in reply.choices} >= {"fentanyl", "overdose"}
    assert reply.topic == reply.choices[0].topic
    assert 2 <= len(reply.choices) <= engine.config.matching.max_choices
    assert "1 " in reply.text and "2 " in reply.text
    picked = talk("2")
    assert picked.topic == reply.choices[1].topic and picked.kind == "answer"


def test_yes_after_did_you_mean_takes_the_first(talk):
    reply = talk("fentanyl overdose")
    assert reply.kind == "suggest"
    assert talk("yes").topic == reply.choices[0].topic


def test_talk_to_staff_escalates(ask):
    reply = ask("can i talk to a real person")
    assert reply.topic == "talk-to-staff" and reply.escalate
    assert ask("STAFF").escalate


def test_odd_input_gets_a_sensible_reply(ask):
    for text in ["", "   ", "😀😀😀", "🙏", "……", "????", "a" * 5000, "你好", "Привет", "مرحبا", "\x00\x01"]:
        reply = ask(text)
        assert reply.text.strip(), repr(text)
        assert not reply.emergency or "911" in reply.text


def test_typos_and_slang(ask):
    cases = {
        "narcn": "naloxone", "narcan": "naloxone", "fent strips": "fentanyl-test-strips",
        "molly": "mdma", "dope sick": "withdrawal", "k hole": "ketamine", "khole": "ketamine",
        "tranq": "xylazine", "shrooms": "psychedelics", "methadone": "treatment",
        "abcess": "wound-care", "hep c": "hiv-hep-c", "xanax": "benzos",
    }
    wrong = {t: ask(t).topic for t, want in cases.items() if ask(t).topic != want}
    assert not wrong


def test_delete_erases_stored_state_and_confirms(engine):
    import fakeredis

    from bot.conversation.conversations import Conversations
    from bot.messages import Message
    # Not hex: the delivery records are keyed by hex hashes, which may contain "abc" by chance.
    SENDER = "texter-xyz"
    redis = fakeredis.FakeRedis(decode_responses=True)
    conversations = Conversations(engine, redis)
    conversations.handle(Message("francais", sender=SENDER))
    conversations.handle(Message("menu", sender=SENDER))
    assert redis.keys("state:*")
    reply = conversations.handle(Message("supprimer", sender=SENDER))
    assert reply.kind == "delete" and "effacé" in reply.text
    assert not [k for k in redis.keys("*") if SENDER in k]   # nothing keyed by this sender is left
    assert conversations.handle(Message("DELETE", sender=SENDER)).text.startswith("Done")


def test_store_scripts_on_real_redis_survive_a_script_cache_flush(engine, real_redis):
    """The two per-message scripts: a retry gets the first reply again, menus remembered, counts kept, and a Redis that has
    forgotten its scripts (as after a restart) gets them again without the texter noticing."""
    from bot.conversation.conversations import Conversations
    from bot.messages import Message
    conversations = Conversations(engine, real_redis)
    menu = conversations.handle(Message("menu", sender="abc"), event_id="SM1")
    assert menu.choices
    assert conversations.handle(Message("menu", sender="abc"), event_id="SM1") == menu   # a retry: the same reply
    real_redis.script_flush()
    picked = conversations.handle(Message("2", sender="abc"), event_id="SM2")
    assert picked.topic == menu.choices[1].topic and picked.kind == "answer"
    assert real_redis.get("rate:abc") == "2" and 0 < real_redis.ttl("rate:abc") <= 60   # the retry is not counted
    assert 0 < real_redis.ttl("state:abc") <= int(engine.config.state_hours * 3600)
    counters = real_redis.hgetall("metrics")
    assert sum(int(v) for k, v in counters.items() if k.startswith("messages|")) == 2
    assert sum(int(v) for k, v in counters.items() if k.startswith("bucket|")) == 2
    assert float(counters["latency_sum"]) > 0
    assert conversations.handle(Message("STOP", sender="abc"), event_id="SM3").topic == "stop"
    assert real_redis.get("optout:abc") == "1" and real_redis.ttl("optout:abc") > 0


def test_unsubscribing_is_never_a_guess(talk, engine):
    """'You're unsubscribed' is only said when it is done, and a question that sounds like STOP
    ('do you keep my messages?') is asked about first instead of unsubscribing the person."""
    asked = talk("vous gardez mes messages?")
    assert asked.kind in ("answer", "suggest") and not talk.state.opted_out
    sure = talk("stop texting me")
    assert sure.topic == "stop" and talk.state.opted_out
    assert talk("how do i use narcan").kind == "silent"
    talk("START")
    assert not talk.state.opted_out
    # Whatever scores "stop" short of near-certain gets a question, not an opt-out.
    from bot.engine.core import STOP_SURE
    from bot.messages import Message
    from bot.store.state import State
    from bot.text.normalise import normalise
    phrases = ["no more texts", "stop texting me please", "can u stop", "enough messages", "para ya", "arrete"]
    unsure = [p for p in phrases if (r := engine.ranking(p, "en", 1)) and r[0].topic == "stop"
              and engine.config.matching.suggest <= r[0].score < STOP_SURE and normalise(p) not in engine.commands]
    assert unsure, "no phrase scored in the unsure band: pick new ones"
    for phrase in unsure:
        state = State()
        reply = engine.reply(Message(phrase), state)
        assert reply.kind == "suggest" and not state.opted_out, phrase
        assert engine.reply(Message(str([c.topic for c in reply.choices].index("stop") + 1)), state).topic == "stop"
        assert state.opted_out, phrase


def test_the_engine_returns_its_side_effects_as_data(talk, ask):
    """What the conversation layer must do comes with the reply, not from reading its kind or topic."""
    from bot.messages import Effect, Escalation, ReplyKind
    assert ask("narcan").effects == frozenset() and ask("narcan").escalation is None
    stop = talk("STOP")
    assert stop.effects == {Effect.OPT_OUT} and talk.state.opted_out
    assert talk("menu").effects == frozenset(), "silence while opted out changes nothing"
    back = talk("START")
    assert back.effects == {Effect.OPT_IN} and not talk.state.opted_out
    assert talk("START").effects == frozenset(), "START when not opted out is only a greeting"
    erase = ask("DELETE")
    assert erase.kind == ReplyKind.DELETE and erase.effects == {Effect.ERASE}
    unknown = ask("zzqx vlorp")
    assert unknown.kind == ReplyKind.UNKNOWN and unknown.effects == {Effect.UNANSWERED}
    assert ask("can i talk to a person").escalation == Escalation.STAFF
    emergency = ask("my friend is not breathing")
    assert emergency.escalation == Escalation.EMERGENCY and emergency.escalate
    assert emergency.as_dict()["escalate"] is True and "effects" not in emergency.as_dict()


def test_three_misses_in_a_row_escalate_as_misses(talk):
    from bot.messages import Escalation
    replies = [talk(text) for text in ("zzqx vlorp", "qqq wibble", "florp blarg")]
    assert [r.escalation for r in replies] == [None, None, Escalation.MISSES]


def test_stop_and_start_keep_the_opt_out_in_the_store(engine, real_redis):
    """The opt-out the store keeps follows the reply's effects: set by STOP, cleared by START."""
    from bot.conversation.conversations import Conversations
    from bot.messages import Message
    conversations = Conversations(engine, real_redis)
    conversations.handle(Message("STOP", sender="abc"))
    assert conversations.opted_out("abc")
    assert conversations.handle(Message("menu", sender="abc")).text == ""
    assert conversations.opted_out("abc"), "a message while opted out keeps the opt-out"
    conversations.handle(Message("START", sender="abc"))
    assert not conversations.opted_out("abc")
