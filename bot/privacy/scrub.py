"""Take identifying details out of what people write before any of it is stored.

Phone numbers are found by Google's libphonenumber (the `phonenumbers` port) for the region in
config.toml (`[privacy] phone_region`), and by a plain digit-run rule for what it does not take as a
number ("780_555_2468", "780,555,2468", "7805552468asap"). The public numbers in config.toml
([numbers]: 911, 1-888-688-6677...) are kept: they say nothing about who wrote.
"""
import re

from phonenumbers import Leniency, PhoneNumberMatcher

DEFAULT_REGION = "CA"
MATCHER_CHARS = 2000
MAX_TRIES = 200
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_STREET = re.compile(
    r"\b\d{1,6}[a-z]?(?:\s+[\w.'-]+){0,4}?\s+(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|drive|dr|lane|ln|"
    r"way|court|ct|crescent|cres|place|pl|trail|tr|terrace|close|gate|rue|calle|avenida)\b\.?(?:\s+(?:nw|ne|sw|se|n|s|e|w)\b)?",
    re.IGNORECASE)
# French and Spanish put the kind of street first: "55 rue Sainte-Catherine", "calle Mayor 12".
_STREET_FIRST = re.compile(
    r"\b(?:\d{1,6},?\s+)?(?:rue|boulevard|boul|chemin|avenue|calle|avenida|paseo|carrera)\s+"
    r"(?:de\s+la\s+|de\s+|du\s+|des\s+|del\s+)?[A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?(?:\s+\d{1,6})?")
# Seven or more digits with at most a few separators between them: what texters type when they
# type a number libphonenumber does not recognise. Times ("10:30") and doses ("0.5g 2 pts") stop it.
_DIGIT_RUN = re.compile(r"(?<!\d)\+?\(?\d(?:[\s().,_/\\-]{0,4}\d){6,}(?!\d)")
_NAME = re.compile(
    r"\b(my name is|my name's|i am called|call me|this is|je m'?appelle|je suis|me llamo|mi nombre es|soy)\s+"
    r"([A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?|[a-zà-ÿ][\w'-]+(?:\s+[a-zà-ÿ][\w'-]+)?)", re.IGNORECASE)
# Words after "this is" / "je suis" / "soy" that are not names ("this is bad", "soy nuevo").
_NOT_NAMES = set("""a an the so very not really bad good scary fine ok okay my your it about for going at on
back later asap now tomorrow tonight anytime whenever when if please pls plz here there from what how why
where who just too all because serious urgent important me him her them us our his their staff

un une le la tres pas malade perdu perdue seul seule en un una muy nuevo nueva solo sola""".split())


def _name(match: re.Match) -> str:
    words = match.group(2).split()
    if words[0].lower() in _NOT_NAMES:
        return match.group(0)
    return f"{match.group(1)} [name]"


# Only a capitalised word counts as a name after these, since "i'm high" or "my friend said" is not one.
_CAPITALISED = r"([A-ZÀ-Ý][a-zà-ÿ'-]+(?:\s+[A-ZÀ-Ý][a-zà-ÿ'-]+)?)"
_SELF = re.compile(r"\b([Ii]'?m|I am|[Ii]t'?s|[Hh]ere'?s|[Tt]his is|[Cc]'est|[Ii]ci|[Aa]qu[ií] (?:est[aá]|habla))\s+"
                   + _CAPITALISED)
# Someone named beside who they are to the writer: "my cousin Dakota said", "mi hermano Luis", "ton ami Paul".
_KIN = re.compile(
    r"(?i:\b((?:my|our|his|her|your|their|mon|ma|mes|ton|ta|son|sa|mi|mis|tu|su)\s+(?:best\s+|little\s+|big\s+|older\s+"
    r"|younger\s+|meilleure?\s+|petite?\s+|grande?\s+|mejor\s+)?(?:cousin|cousine|friend|buddy|bud|bro|brother|sister|sis"
    r"|mom|mum|mother|dad|father|aunt|auntie|uncle|roommate|roomie|partner|boyfriend|girlfriend|bf|gf|husband|wife"
    r"|son|daughter|kid|grandma|grandpa|nephew|niece|neighbou?r|coworker|ex|ami|amie|pote|chum|blonde|copain|copine"
    r"|coloc|fr[eè]re|s(?:oe|œ)ur|m[eè]re|p[eè]re|oncle|tante|fils|fille|primo|prima|amigo|amiga|hermano|hermana"
    r"|mam[aá]|pap[aá]|novio|novia|t[ií]o|t[ií]a|compa|esposo|esposa|hijo|hija|vecino|vecina))\s+)" + _CAPITALISED)
# Greetings and sign-offs name the person spoken to: "Hi Jordan", "Bonjour Marie", "Hola Juan".
_GREETING = re.compile(r"(?i:\b(hi|hey|hello|dear|thanks|thank you|bye|bonjour|salut|merci|allo|hola|gracias|buenas))"
                       r"[ ,]+" + _CAPITALISED)
# What staff write: a reply that starts with the name of the person it is for ("Jordan, I will call").
_VOCATIVE = re.compile(r"^\s*" + _CAPITALISED + r"(?=\s*[,:!-])")
_COMMON = set("""I I'm I'll I've I'd Im OK Ok Okay Fine Good Bad High Here There Sorry Scared Not So Just Really Very Still Alone Outside
Home Safe Done Back Sick Lost Tired Hungry Worried Using Going Getting Trying Looking Out In At On The A An It
Yes No Yeah Yep Nope Please Thanks Thank Hello Hi Hey Well Also And But Or If When Now Today Tonight Tomorrow
Is Are Can Could Would Will Do Does Did We You Your They What Where Why How Who Let Call Text Stay Try Take Get
Sure Great Alright Right Understood Oh Ah Cool Perfect Honestly Remember Again First Next Then Listen Note
Monday Tuesday Wednesday Thursday Friday Saturday Sunday Someone Everyone Anyone Nobody Everything Nothing
Pas Moi Oui Non Bon Mal Grave Urgent Merci Bonjour Salut Toi Lui Elle Ici Aussi Tout Rien Mais Et Ou
Si Muy Bien Hola Gracias Nada Todo Aqui Aquí Yo Pero Ya Hoy Mañana Manana Ayuda Nuevo Nueva Solo Sola
Narcan Naloxone Fentanyl Fent Molly Xanax Percocet Oxy Meth Crack Coke Heroin Benzos Tylenol Advil Staff Menu Help Stop""".split())


def _named(name_group: int):
    """Replace the name in a match, unless it is a word that only looks like one ("I'm Sorry")."""
    def replace(match: re.Match) -> str:
        if match.group(name_group).split()[0] in _COMMON:
            return match.group(0)
        return match.group(0)[: match.start(name_group) - match.start(0)] + "[name]"
    return replace


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


class Scrubber:
    """scrub(text): phone numbers, emails, street addresses and names replaced by [placeholders]."""

    def __init__(self, region: str = DEFAULT_REGION, keep_numbers=()):
        self.region = region
        # Public numbers ("911", "1-888-688-6677") stay: with and without a leading country code 1.
        self.keep = {d for n in keep_numbers for d in (_digits(n), _digits(n).removeprefix("1")) if len(d) >= 7}

    def __call__(self, text: str, staff: bool = False) -> str:
        return self.scrub(text, staff)

    def scrub(self, text: str, staff: bool = False) -> str:
        """`staff`: the text is a staff reply, which may start with the texter's name ("Jordan, ...")."""
        text = _EMAIL.sub("[email]", text)
        text = _STREET_FIRST.sub(lambda m: "[address]" if any(c.isdigit() for c in m.group(0)) else m.group(0), text)
        text = _STREET.sub("[address]", text)
        text = self._phones(text)
        text = _NAME.sub(_name, text)
        text = _SELF.sub(_named(2), text)
        text = _KIN.sub(_named(2), text)
        text = _GREETING.sub(_named(2), text)
        if staff:
            text = _VOCATIVE.sub(_named(1), text)
        return text

    def findings(self, text: str, staff: bool = True) -> list[str]:
        """Which kinds of detail scrubbing would take out of `text` ("phone", "name"...), for a warning."""
        clean = self.scrub(text, staff)
        return [kind for kind in ("phone", "email", "address", "name") if f"[{kind}]" in clean and f"[{kind}]" not in text]

    def _phones(self, text: str) -> str:
        spans = []
        try:
            # Within the first MATCHER_CHARS (an SMS is at most 1600), so a long message stuffed with
            # numbers costs milliseconds, not seconds; the digit-run rule below covers all of it.
            spans += [(m.start, m.end) for m in PhoneNumberMatcher(text[:MATCHER_CHARS], self.region,
                                                                   leniency=Leniency.POSSIBLE, max_tries=MAX_TRIES)]
        except Exception:   # the matcher is a port of a large library: the digit rule below still runs
            pass
        spans += [m.span() for m in _DIGIT_RUN.finditer(text)]
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out, last = [], 0
        for start, end in merged:
            found = _digits(text[start:end])
            if len(found) < 7 or found in self.keep or found.removeprefix("1") in self.keep:
                continue
            out += [text[last:start], "[phone]"]
            last = end
        return "".join(out) + text[last:]


_default = Scrubber()


def scrub(text: str, staff: bool = False) -> str:
    """Scrub with the default region and no public numbers kept (bot code is given a configured Scrubber)."""
    return _default.scrub(text, staff)
