"""Normalising what people type, correcting typos, and counting SMS segments."""
import pytest

from bot.text import budgets, segments
from bot.text.normalise import expand_shorthand, normalise
from bot.text.spelling import Speller


@pytest.mark.parametrize("raw,clean", [
    ("HELPPP!!!", "helpp"),
    ("my friend's OD'ing", "my friends oding"),
    ("Où trouver de la NALOXONE?", "ou trouver de la naloxone"),
    ("  fent+benzos 😱😱 ", "fent + benzos"),
    ("can’t breathe — help", "cant breathe help"),
    ("", ""),
])
def test_normalise(raw, clean):
    assert normalise(raw) == clean


def test_shorthand():
    assert expand_shorthand(["u", "r", "ok", "rn"], {"u": "you", "r": "are", "rn": "right now"}) == \
        ["you", "are", "ok", "right", "now"]


def test_speller_fixes_typos_but_not_short_words():
    s = Speller(["naloxone", "narcan", "overdose", "meth", "breathing"])
    assert s.correct("narcn") == "narcan"
    assert s.correct("narcam") == "narcan"
    assert s.correct("overdoes") == "overdose"   # a swap is one edit
    assert s.correct("breathin") == "breathing"
    assert s.correct("math") is None             # too short to guess at
    assert s.correct("banana") is None


def test_speller_corrects_only_towards_the_words_it_is_given():
    s = Speller(["garrot", "narcan", "parrots"])
    assert s.correct("parrot") == "parrots"                             # same first letter wins a tie
    assert s.correct("parrot", among=frozenset({"narcan", "garrot"})) == "garrot"
    assert s.correct("parrot", among=frozenset({"narcan"})) is None
    assert s.correct("garrot", among=frozenset({"narcan"})) == "garrot"  # a known word stays itself


def test_english_words_are_not_turned_into_french_keywords(engine):
    from bot.messages import Message
    from bot.store.state import State
    reply = engine.reply(Message("do you know where to buy a parrot cage"), State())
    assert reply.topic != "safer-injecting" and reply.kind == "unknown"
    assert engine.reply(Message("nalxone kit"), State()).topic == "naloxone"     # typos still fixed
    assert engine.reply(Message("naloxona grtis por favor", lang="es"), State()).topic == "naloxone"


@pytest.mark.parametrize("text,count", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("{" * 80, 1), ("{" * 81, 2),                  # extension characters cost two
    ("é" * 160, 1),                                # é is GSM-7
    ("ê" * 70, 1), ("ê" * 71, 2),                  # ê is not: UCS-2
    ("hi 😀", 1), ("", 0),
])
def test_segment_count(text, count):
    assert segments.segment_count(text) == count


def test_to_gsm7_keeps_meaning_and_encoding():
    text = "“Está aquí” — ça va… 😀 où"
    safe = segments.to_gsm7(text)
    assert segments.is_gsm7(safe)
    assert safe == '"Esta aqui" - ca va... où'


def test_split_sentences_respects_limit():
    text = "One sentence here. " * 30
    parts = segments.split_sentences(text, 150)
    assert all(segments.septets(p) <= 150 for p in parts)
    assert " ".join(parts).split() == text.split()


def test_to_gsm7_follows_the_gsm7_table_for_french_and_spanish():
    """é è ù à ñ ¿ ¡ Ç É are in GSM-7 and stay (capital Ç is, small ç is not); á í ó ú ç ê ô â become
    their plain letter."""
    text = "¿Qué pasó? ¡Ya! Ça été là, niño. Déjà vu: sûr, forêt, côté, Él."
    safe = segments.to_gsm7(text)
    assert safe == "¿Qué paso? ¡Ya! Ça été là, niño. Déjà vu: sur, foret, coté, Él."
    assert segments.is_gsm7(safe) and segments.segment_count(safe * 3) == -(-len(safe) * 3 // 153)


def test_channel_budgets_come_from_the_vendors_limits():
    """Telegram's limits are python-telegram-bot's own; every channel the bot speaks has one."""
    from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

    from bot.messages import CHANNELS
    assert budgets.TELEGRAM_TEXT == MessageLimit.MAX_TEXT_LENGTH
    assert budgets.TELEGRAM_CALLBACK_DATA == InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    assert set(CHANNELS) <= set(budgets.VENDOR_LIMITS)
    assert budgets.reply_budget("sms", 2) == 306 and budgets.reply_budget("sms", 1) == 160
    assert budgets.reply_budget("telegram", 2, reserve=20) == budgets.TELEGRAM_TEXT - 20
    assert budgets.reply_budget("whatsapp", 2, reserve=10_000) == budgets.MIN_PART


def test_fits_counts_sms_in_segments_as_sent():
    # 306 GSM-7 characters are two segments; a curly quote is sent as a plain one, so it costs no more.
    assert budgets.fits("a" * 306, "sms", 2) and not budgets.fits("a" * 307, "sms", 2)
    assert budgets.fits("\u2019" + "a" * 305, "sms", 2)
    assert budgets.fits("a" * 1600, "whatsapp", 2) and not budgets.fits("a" * 1601, "web", 2)


def test_fit_for_cuts_to_the_vendor_limit_at_a_sentence():
    long = "Call 911 now. " * 400
    for channel in ("sms", "whatsapp", "telegram", "web"):
        sent = budgets.fit_for(channel, long)
        assert len(sent) <= budgets.VENDOR_LIMITS[channel] and sent.endswith("now."), channel
    assert budgets.fit_for("sms", "“hi”") == '"hi"'


def test_callback_data_is_cut_in_bytes_not_characters():
    data = budgets.callback_data("t:" + "é" * 40)    # 82 bytes in UTF-8
    assert len(data.encode("utf-8")) <= budgets.TELEGRAM_CALLBACK_DATA and data.startswith("t:éé")
    assert budgets.callback_data("t:naloxone") == "t:naloxone"


def test_real_words_are_kept_as_typed_and_run_together_french_is_split(engine):
    """A common word of the bot's languages is what the texter meant, never "corrected" into a
    content word; French "je" run into a common verb is read as two words (content/lang/fr.toml [joined])."""
    from bot.messages import Message
    reading = engine.read(Message("website is confusing, are you ready", lang="en"))
    assert "confusing" in reading.corrected and "ready" in reading.corrected
    assert "unresponsive" in engine.read(Message("my friend is unresponsve", lang="en")).corrected
    french = engine.read(Message("si jreste avec lui jcomprends rien", lang="fr"))
    assert french.expanded[:3] == ["si", "je", "reste"] and "comprends" in french.expanded
    assert "jeudi" in engine.read(Message("jeudi soir", lang="fr")).expanded   # a word of its own stays


def test_laughing_faces_read_as_lol():
    assert normalise("dying rn 😂🤣") == "dying rn lol lol"
    assert normalise("hes blue 😭") == "hes blue"
