"""Identifying details are taken out of what people write before anything is kept."""
import pytest

from bot.privacy.scrub import scrub

GONE = [
    ("call me at (780) 555-0199 pls", "(780) 555-0199", "call me at [phone] pls"),
    ("my # is 780.555.0199", "780.555.0199", "my # is [phone]"),
    ("text 7805550199 after 6", "7805550199", "text [phone] after 6"),
    ("+1 780 555 0199 is my cell", "780 555 0199", "[phone] is my cell"),
    ("whatsapp me +44 7911 123456", "7911 123456", "whatsapp me [phone]"),
    ("my number: 1-780-555-0199", "555-0199", "my number: [phone]"),
    ("(780)5550199", "5550199", "[phone]"),
    ("email me jo.smith+hr@gmail.com", "jo.smith", "email me [email]"),
    ("my email is CASEY_99@Example.ORG thx", "CASEY_99", "my email is [email] thx"),
    ("I'm at 10234 104 St NW, come get me", "10234 104 St", "I'm at [address], come get me"),
    ("im at 123 Main Street by the 7-11", "123 Main Street", "im at [address] by the 7-11"),
    ("were at 55 rue Sainte-Catherine", "55 rue", "were at [address]"),
    ("vivo en calle Mayor 12, Madrid", "Mayor 12", "vivo en [address], Madrid"),
    ("my name is jordan", "jordan", "my name is [name]"),
    ("My name's Alex Chen and I need help", "Alex Chen", "My name's [name] and I need help"),
    ("this is Sam, is it safe to mix", "Sam", "this is [name], is it safe to mix"),
    ("I'm Jordan and i used 20 mins ago", "Jordan", "I'm [name] and i used 20 mins ago"),
    ("it's Priya btw", "Priya", "it's [name] btw"),
    ("call me Ray", "Ray", "call me [name]"),
    ("je m'appelle Marie, j'ai besoin d'aide", "Marie", "je m'appelle [name], j'ai besoin d'aide"),
    ("me llamo Juan Carlos y necesito ayuda", "Juan Carlos", "me llamo [name] y necesito ayuda"),
    # What an auditor found kept in clear (issue 13): formats libphonenumber alone does not take as a number.
    ("call 780 - 555 - 2468 tonight", "2468", "call [phone] tonight"),
    ("780_555_2468", "2468", "[phone]"),
    ("7805552468asap", "2468", "[phone]asap"),
    ("text 780,555,2468 pls", "2468", "text [phone] pls"),
    ("my cell is 780 555 2468.", "2468", "my cell is [phone]."),
    ("555-2468 is my home", "2468", "[phone] is my home"),
    ("appelle-moi au 06 12 34 56 78", "56 78", "appelle-moi au [phone]"),
    ("my name is Jordan Quimby", "Quimby", "my name is [name]"),
    ("my cousin Dakota said it was fine", "Dakota", "my cousin [name] said it was fine"),
    ("My best friend Sam Lee is passed out", "Sam", "My best friend [name] is passed out"),
    ("c'est Marie, j'ai peur", "Marie", "c'est [name], j'ai peur"),
    ("mi hermano Luis tomó pastillas", "Luis", "mi hermano [name] tomó pastillas"),
    ("me llamo lucía", "lucía", "me llamo [name]"),
    ("hey Jordan here", "Jordan", "hey [name] here"),
]

KEPT = [
    "i took 2 points at 10:30 and 0.5g",
    "naloxone 2 doses 3 min apart",
    "this is bad, my friend is blue",
    "i'm high af",
    "I'm OK now",
    "soy nuevo aqui",
    "call 911 or 988",
    "is 1 or 2 tabs too much",
    "my friend is not breathing",
    "my cousin said it was fine",
    "I'm Sorry, my friend OD'd",
    "Hi, can I get Narcan",
    "took 3 pills at 10:30 then 2 more at 11:45",
]


@pytest.mark.parametrize("text,secret,expected", GONE)
def test_identifying_details_are_removed(text, secret, expected):
    clean = scrub(text)
    assert secret not in clean
    assert clean == expected


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_words_and_doses_are_kept(text):
    assert scrub(text) == text


def test_public_numbers_from_config_are_kept(cfg):
    from bot.privacy.scrub import Scrubber
    scrubber = Scrubber(cfg.phone_region, cfg.numbers.values())
    assert scrubber("call NORS 1-888-688-6677 or 310-1818") == "call NORS 1-888-688-6677 or 310-1818"
    assert scrubber("or me at 780-555-2468") == "or me at [phone]"


def test_the_region_decides_what_a_local_number_looks_like():
    from bot.privacy.scrub import Scrubber
    assert Scrubber("GB")("ring 020 7946 0018 pls") == "ring [phone] pls"


STAFF = [
    ("Jordan, I will call you at 780-555-7070", "[name], I will call you at [phone]", ["phone", "name"]),
    ("Hi Dakota, are you safe now?", "Hi [name], are you safe now?", ["name"]),
    ("Is your friend breathing? Call 911 now.", "Is your friend breathing? Call 911 now.", []),
]


@pytest.mark.parametrize("text,stored,found", STAFF)
def test_staff_replies_are_scrubbed_and_what_they_carry_is_named(cfg, text, stored, found):
    from bot.privacy.scrub import Scrubber
    scrubber = Scrubber(cfg.phone_region, cfg.numbers.values())
    assert scrubber(text, staff=True) == stored
    assert scrubber.findings(text) == found
