"""The combination table: "can I mix A and B" gets TripSit's class for every pair TripSit rates among the
16 substances of issue 15, in every language, and every note keeps its safety clause."""
import json
import re
from itertools import combinations

import pytest

from tests.helpers.common import ROOT

TRIPSIT = json.loads((ROOT / "tests" / "data" / "tripsit_pairs.json").read_text())
CLASS = TRIPSIT["classes"]                       # TripSit's status -> our class
RATED = {frozenset((p["a"], p["b"])): CLASS[p["tripsit"]] for p in TRIPSIT["pairs"]}
SUBSTANCES = sorted(TRIPSIT["tripsit_keys"])

# How a person names each substance when asking, per language (slang on purpose).
ASK_AS = {
    "en": {"opioids": "fentanyl", "tramadol": "tramadol", "benzos": "xanax", "alcohol": "alcohol", "ghb": "ghb",
           "ketamine": "ketamine", "mdma": "molly", "cocaine": "coke", "amphetamines": "meth", "cannabis": "weed",
           "lsd": "acid", "mushrooms": "shrooms", "ssris": "zoloft", "maois": "maoi", "dxm": "dxm",
           "pregabalin": "lyrica"},
    "fr": {"opioids": "héroïne", "tramadol": "tramadol", "benzos": "benzos", "alcohol": "alcool", "ghb": "GHB",
           "ketamine": "kétamine", "mdma": "MD", "cocaine": "cocaïne", "amphetamines": "méth", "cannabis": "herbe",
           "lsd": "acide", "mushrooms": "champis", "ssris": "antidépresseurs", "maois": "IMAO",
           "dxm": "sirop pour la toux", "pregabalin": "prégabaline"},
    "es": {"opioids": "heroína", "tramadol": "tramadol", "benzos": "benzos", "alcohol": "alcohol", "ghb": "GHB",
           "ketamine": "ketamina", "mdma": "tachas", "cocaine": "cocaína", "amphetamines": "metanfetamina",
           "cannabis": "mota", "lsd": "ácido", "mushrooms": "hongos", "ssris": "antidepresivos", "maois": "IMAO",
           "dxm": "jarabe para la tos", "pregabalin": "pregabalina"},
}
PHRASINGS = {
    "en": ["can i mix {a} and {b}", "is it ok to take {a} with {b}", "{a} + {b}?", "{b} and {a} together safe?",
           "what about {b} while on {a}"],
    "fr": ["je peux mélanger {a} et {b} ?", "{a} avec {b}, c'est dangereux ?", "est-ce que {b} et {a} ensemble ça va ?"],
    "es": ["¿puedo mezclar {a} con {b}?", "{a} y {b} juntos es peligroso?", "¿es seguro tomar {b} con {a}?"],
}
# The clause every dangerous or unsafe note carries: avoid, and what to do if you do anyway.
IF_YOU_DO = {"en": "if you do", "fr": "si tu le fais", "es": "si lo haces"}
# Every note says what to do: at least one of these (less, slower, not alone, sober company, wait...).
ACTIONS = {
    "en": ("less", "low", "slow", "alone", "sober", "wait", "redose", "{emergency}"),
    "fr": ("moins", "peu", "faible", "doucement", "seul", "sobre", "attends", "redose", "{emergency}"),
    "es": ("menos", "poco", "bajas", "despacio", "solo", "sobrio", "espera", "repitas", "{emergency}"),
}
# "Never mix" reads as a prohibition; notes offer options ("avoid it; if you do...").
PROHIBITIONS = {"en": r"\bnever\b|don'?t mix|completely", "fr": r"\bjamais\b|compl[eè]tement",
                "es": r"\bnunca\b|por completo"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def class_of(engine, reply) -> str | None:
    """The one class the reply names, read from the language's own risk labels."""
    labels = engine.content.languages[reply.lang].risk
    named = [risk for risk, label in labels.items() if label in reply.text]
    return named[0] if len(named) == 1 else None


def test_the_ratings_file_is_the_116_pairs_of_the_issue():
    assert len(SUBSTANCES) == 16
    assert len(RATED) == 116
    assert len(RATED) + len(TRIPSIT["unrated"]) == len(list(combinations(SUBSTANCES, 2)))
    assert all(c in ("dangerous", "unsafe", "caution", "low") for c in RATED.values())


def test_the_table_has_tripsits_class_for_every_rated_pair(engine):
    pairs = engine.content.pairs
    assert set(engine.content.substances) == set(SUBSTANCES)
    missing = [sorted(k) for k in RATED if k not in pairs]
    wrong = [(sorted(k), pairs[k].risk, c) for k, c in RATED.items() if k in pairs and pairs[k].risk != c]
    assert not missing and not wrong, (missing, wrong)


def test_asking_every_pair_agrees_with_tripsit(engine, ask, capsys):
    """Every rated pair, asked in several phrasings in English, French and Spanish, through the engine."""
    agree, disagreements = 0, []
    for key, expected in sorted(RATED.items(), key=lambda kv: sorted(kv[0])):
        a, b = sorted(key)
        got = set()
        for lang, phrasings in PHRASINGS.items():
            for phrasing in phrasings:
                text = phrasing.format(a=ASK_AS[lang][a], b=ASK_AS[lang][b])
                reply = ask(text, channel="telegram")
                names = [engine.content.substances[s].names[lang] for s in (a, b)]
                ok_shape = reply.kind == "mixing" and reply.lang == lang and all(n in reply.text for n in names)
                got.add(class_of(engine, reply) if ok_shape else f"not read as {a} + {b} in {lang}: {text!r}")
        if got == {expected}:
            agree += 1
        else:
            disagreements.append(f"{a} + {b}: TripSit {expected}, bot {sorted(map(str, got))}")
    share = agree / len(RATED)
    with capsys.disabled():
        print(f"\nmixing: {agree}/{len(RATED)} pairs agree with TripSit ({share:.1%}), "
              f"each asked {sum(map(len, PHRASINGS.values()))} ways in en/fr/es")
    assert share >= 0.95, "\n".join(disagreements)
    assert not disagreements, "\n".join(disagreements)   # today every pair agrees: keep it that way


@pytest.mark.parametrize("text,risk,a,b", [
    ("fent and meth", "caution", "opioids", "amphetamines"),
    ("is a goofball safe", "caution", "opioids", "amphetamines"),
    ("goofballing tonight, anything i should know", "caution", "opioids", "amphetamines"),
    ("speedball", "dangerous", "opioids", "cocaine"),
    ("is speedballing safe", "dangerous", "opioids", "cocaine"),
    ("dope and coke together", "dangerous", "opioids", "cocaine"),
    ("fent et meth ensemble", "caution", "opioids", "amphetamines"),
    ("fentanilo y metanfetamina", "caution", "opioids", "amphetamines"),
    ("un speedball c'est dangereux ?", "dangerous", "opioids", "cocaine"),
    ("can i do ket on fent", "dangerous", "ketamine", "opioids"),
    ("G and xanax", "dangerous", "ghb", "benzos"),
    ("trammies and zoloft", "dangerous", "tramadol", "ssris"),
    ("ayahuasca while on prozac", "dangerous", "maois", "ssris"),
    ("syrian rue with molly", "dangerous", "maois", "mdma"),
    ("coke and booze", "unsafe", "cocaine", "alcohol"),
    ("robo and molly", "dangerous", "dxm", "mdma"),
])
def test_named_mixes_get_their_rating(engine, ask, text, risk, a, b):
    reply = ask(text, channel="telegram")
    assert reply.kind == "mixing", reply.text
    assert class_of(engine, reply) == risk, reply.text
    for sid in (a, b):
        assert engine.content.substances[sid].names[reply.lang] in reply.text


# Every name the issue lists, and French and Spanish ones, each asked with a partner it is rated with.
SLANG = [
    *[(w, "opioids") for w in ("fent", "down", "dope", "oxy", "percs", "heroin", "fetty", "lean", "dilaudid",
                               "héroïne", "heroína", "fentanilo", "opioïdes")],
    *[(w, "tramadol") for w in ("tramadol", "trammies", "ultram")],
    *[(w, "benzos") for w in ("xanax", "bars", "benzos", "valium", "clonazepam", "rivotril", "benzodiazepinas")],
    *[(w, "ghb") for w in ("G", "gina", "GBL", "ghb", "liquid ecstasy")],
    *[(w, "ketamine") for w in ("K", "ket", "special k", "kétamine", "ketamina")],
    *[(w, "mdma") for w in ("molly", "E", "ecstasy", "MD", "tachas", "éxtasis")],
    *[(w, "cocaine") for w in ("coke", "blow", "crack", "cocaïne", "cocaína", "perico")],
    *[(w, "amphetamines") for w in ("meth", "speed", "addy", "adderall", "side", "jib", "crystal", "méth",
                                    "metanfetamina", "cristal")],
    *[(w, "cannabis") for w in ("weed", "edibles", "pot", "joint", "herbe", "mota")],
    *[(w, "lsd") for w in ("acid", "lsd", "tabs", "acide", "ácido")],
    *[(w, "mushrooms") for w in ("shrooms", "mushrooms", "champis", "hongos")],
    *[(w, "ssris") for w in ("zoloft", "prozac", "ssri", "antidepressants", "lexapro", "antidépresseurs",
                             "antidepresivos")],
    *[(w, "maois") for w in ("maoi", "ayahuasca", "syrian rue", "IMAO", "ruda siria")],
    *[(w, "dxm") for w in ("dxm", "robo", "cough syrup", "robitussin", "sirop pour la toux", "jarabe para la tos")],
    *[(w, "pregabalin") for w in ("lyrica", "pregabalin", "prégabaline", "pregabalina")],
    *[(w, "alcohol") for w in ("booze", "beer", "drinking", "alcool", "bière", "cerveza", "chelas")],
]


@pytest.mark.parametrize("word,sid", SLANG)
def test_every_name_is_recognised(engine, ask, word, sid):
    partner = "benzos" if sid in ("alcohol", "pregabalin") else "alcohol"
    partner_word = "xanax" if partner == "benzos" else "booze"
    reply = ask(f"can i mix {word} with {partner_word}", channel="telegram")
    assert reply.kind == "mixing", reply.text
    names = engine.content.substances
    assert f"{names[sid].names['en']} + {names[partner].names['en']}" in reply.text or \
        f"{names[partner].names['en']} + {names[sid].names['en']}" in reply.text, reply.text
    assert class_of(engine, reply) == engine.content.pairs[frozenset((sid, partner))].risk


def test_every_note_keeps_its_safety_clause_in_every_language(engine):
    problems = []
    for pair in engine.content.pairs.values():
        where = f"{pair.a} + {pair.b}"
        if set(pair.note) != {"en", "fr", "es"}:
            problems.append(f"{where}: notes in {sorted(pair.note)}, not en, fr and es")
            continue
        placeholders = {lang: set(PLACEHOLDER.findall(note)) for lang, note in pair.note.items()}
        if len({frozenset(p) for p in placeholders.values()}) != 1:
            problems.append(f"{where}: placeholders differ between languages {placeholders}")
        for lang, note in pair.note.items():
            lowered = note.lower()
            if pair.risk in ("dangerous", "unsafe", "caution") and "{emergency}" not in note:
                problems.append(f"{where} [{lang}]: a {pair.risk} note must say when to call {{emergency}}")
            if pair.risk in ("dangerous", "unsafe") and IF_YOU_DO[lang] not in lowered:
                problems.append(f"{where} [{lang}]: no '{IF_YOU_DO[lang]}': say what to do if they mix anyway")
            if not any(word in lowered for word in ACTIONS[lang]):
                problems.append(f"{where} [{lang}]: says nothing to do")
            if re.search(PROHIBITIONS[lang], lowered):
                problems.append(f"{where} [{lang}]: reads as a prohibition ('never', 'completely')")
    assert not problems, "\n".join(problems)


def test_every_pair_fits_one_sms_reply_with_its_safety_clause(engine, cfg):
    """On SMS the whole note comes in the first reply: the safety clause is never left behind MORE.
    It fits even with the MORE prompt after it, so the first pair of a three-drug question is whole too."""
    from bot.content.load import render
    from bot.messages import Message
    from bot.store.state import State
    from bot.text import segments
    too_long = []
    for pair in engine.content.pairs.values():
        for lang in ("en", "fr", "es"):
            a, b = ASK_AS[lang][pair.a], ASK_AS[lang][pair.b]
            reply = engine.reply(Message(PHRASINGS[lang][0].format(a=a, b=b), channel="sms"), State())
            note = render(pair.note[lang], engine.values[lang])
            with_prompt = segments.to_gsm7(f"{reply.text} {engine.languages[lang].text['more_prompt']}")
            if reply.has_more or note not in reply.text or segments.segment_count(with_prompt) > cfg.sms_max_segments:
                too_long.append(f"{pair.a} + {pair.b} [{lang}]: {reply.text!r}")
    assert not too_long, "\n".join(too_long)


def test_with_three_drugs_the_worst_pair_comes_first_and_whole(engine, ask):
    from bot.content.load import render
    reply = ask("weed, xanax and fent tonight, ok?", channel="sms")
    assert reply.kind == "mixing" and reply.has_more
    assert reply.text.startswith("Opioids + Benzos: DANGEROUS together.") or \
        reply.text.startswith("Benzos + Opioids: DANGEROUS together."), reply.text
    note = engine.content.pairs[frozenset(("opioids", "benzos"))].note["en"]
    assert render(note, engine.values["en"]) in reply.text
    telegram = ask("weed, xanax and fent tonight, ok?", channel="telegram")
    assert "lower risk" in telegram.text                  # weed's pairs are there, after the dangerous one
    assert telegram.text.index("DANGEROUS") < telegram.text.index("lower risk")


def test_a_word_under_two_substances_is_a_named_blend(engine):
    owners = {}
    for sid, sub in engine.content.substances.items():
        for word in set(sub.words):
            owners.setdefault(word, set()).add(sid)
    shared = {w: sorted(s) for w, s in owners.items() if len(s) > 1}
    assert shared == {
        **{w: ["cocaine", "opioids"] for w in ("speedball", "speedballs", "speedballing")},
        **{w: ["amphetamines", "opioids"] for w in ("goofball", "goofballs", "goofballing")},
    }


def test_a_pair_tripsit_does_not_rate_is_honestly_unknown(ask):
    reply = ask("can i mix lyrica and zoloft", channel="telegram")
    assert reply.topic == "mixing"
    assert "don't have a rating" in reply.text and "Pregabalin (Lyrica) + SSRIs" in reply.text


def test_contamination_is_not_a_mixing_question(ask):
    assert ask("benzos mixed in my dope").topic == "benzos"


def test_mixing_in_other_languages(ask):
    es = ask("puedo mezclar alcohol con benzos", channel="telegram")
    assert es.topic == "mixing" and "PELIGROSO" in es.text and es.lang == "es"
    fr = ask("mélanger alcool et benzos", channel="telegram")
    assert fr.topic == "mixing" and "DANGEREUX" in fr.text


@pytest.mark.parametrize("text,topic", [
    ("been up 4 days on side how do i come down", "stimulants"),   # "down" here is not the opioid
    ("can u drink water on mdma", "mdma"),                        # nor is "drink" alcohol
])
def test_a_word_inside_an_everyday_phrase_is_not_a_substance(engine, text, topic):
    from bot.messages import Message
    from bot.store.state import State
    reply = engine.reply(Message(text), State())
    assert reply.kind != "mixing" and reply.topic == topic
    still = engine.reply(Message("is it safe to mix down and xanax"), State())
    assert still.kind == "mixing" and "Opioids + Benzos" in still.text


@pytest.mark.parametrize("text", [
    "rum and coke",                                   # the drink
    "i drank a lot, should i put him on his side",    # the recovery position, not meth
    "what are the side effects of zoloft",
    "crack a beer",
    "keep tabs on my friend who is drinking",
])
def test_everyday_phrases_are_not_mixes(ask, text):
    assert ask(text).kind != "mixing"


@pytest.mark.parametrize("text,lang", [
    ("how much water should i drink on molly, heard u can drink too much??", "en"),
    ("combien d'eau je dois boire sur la MD", "fr"),
    ("cuanta agua tengo q tomar con molly? escuché q mucha también es mala", "es"),
])
def test_water_on_molly_is_about_molly_not_alcohol(ask, text, lang):
    """In a message about water, the verbs of drinking are about water (combinations.toml
    `loose_words`, `not_with`): the MDMA answer, not alcohol with MDMA."""
    reply = ask(text, lang=lang)
    assert reply.kind != "mixing" and reply.topic == "mdma", (text, reply.kind, reply.topic)


def test_a_named_drink_still_counts_beside_water(ask):
    assert ask("is it ok to drink beer and water on molly").kind == "mixing"
