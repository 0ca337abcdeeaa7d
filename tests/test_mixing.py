"""The combination table answers pairs with their risk level; unknown pairs are said to be unknown."""
import pytest

PAIRS = [
    ("can i mix alcohol and benzos", "DANGEROUS", "Benzos", "Alcohol"),
    ("is fent with xanax ok", "DANGEROUS", "Opioids", "Benzos"),
    ("ghb + alcohol", "DANGEROUS", "GHB", "Alcohol"),
    ("ketamine and booze together?", "DANGEROUS", "Ketamine", "Alcohol"),
    ("mixing coke and meth", "CAUTION", "Cocaine", "amphetamines"),
    ("can i drink on molly", "CAUTION", "MDMA", "Alcohol"),
    ("molly while on zoloft", "lower risk", "MDMA", "SSRIs"),
    ("mdma with an maoi", "DANGEROUS", "MDMA", "MAOIs"),
]


@pytest.mark.parametrize("text,risk,a,b", PAIRS)
def test_pair_risk(ask, text, risk, a, b):
    reply = ask(text, channel="telegram")
    assert reply.topic == "mixing" and reply.kind == "mixing"
    assert risk in reply.text and a in reply.text and b in reply.text


def test_unknown_pair_is_honest(ask):
    reply = ask("can i mix weed and acid", channel="telegram")
    assert reply.topic == "mixing"
    assert "don't have a rating" in reply.text


def test_contamination_is_not_a_mixing_question(ask):
    assert ask("benzos mixed in my dope").topic == "benzos"


def test_mixing_in_other_languages(ask):
    es = ask("puedo mezclar alcohol con benzos", channel="telegram")
    assert es.topic == "mixing" and "PELIGROSO" in es.text and es.lang == "es"
    fr = ask("mélanger alcool et benzos", channel="telegram")
    assert fr.topic == "mixing" and "DANGEREUX" in fr.text


def test_every_pair_in_the_table_is_answerable(engine):
    from bot.messages import Message
    from bot.state import State
    for key, pair in engine.content.pairs.items():
        a = engine.content.substances[pair.a].words[0]
        b = engine.content.substances[pair.b].words[0]
        reply = engine.reply(Message(f"can i mix {a} and {b}", channel="telegram"), State())
        assert reply.topic == "mixing", (a, b)
        assert engine.content.languages["en"].risk[pair.risk] in reply.text, (a, b)


@pytest.mark.parametrize("text,topic", [
    ("been up 4 days on side how do i come down", "stimulants"),   # "down" here is not the opioid
    ("can u drink water on mdma", "mdma"),                        # nor is "drink" alcohol
])
def test_a_word_inside_an_everyday_phrase_is_not_a_substance(engine, text, topic):
    from bot.messages import Message
    from bot.state import State
    reply = engine.reply(Message(text), State())
    assert reply.kind != "mixing" and reply.topic == topic
    still = engine.reply(Message("is it safe to mix down and xanax"), State())
    assert still.kind == "mixing" and "Opioids + Benzos" in still.text
