"""Normalising what people type, correcting typos, and counting SMS segments."""
import pytest

from bot.text import segments
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
