"""Take identifying details out of what people write before any of it is stored."""
import re

_PHONE = re.compile(r"(?<![\w(])\(?(?:\+?\d[\s().\-/]{0,2}){7,15}(?![\w])")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_STREET = re.compile(
    r"\b\d{1,6}[a-z]?(?:\s+[\w.'-]+){0,4}?\s+(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|drive|dr|lane|ln|"
    r"way|court|ct|crescent|cres|place|pl|trail|tr|terrace|close|gate|rue|calle|avenida)\b\.?(?:\s+(?:nw|ne|sw|se|n|s|e|w)\b)?",
    re.IGNORECASE)
# French and Spanish put the kind of street first: "55 rue Sainte-Catherine", "calle Mayor 12".
_STREET_FIRST = re.compile(
    r"\b(?:\d{1,6},?\s+)?(?:rue|boulevard|boul|chemin|avenue|calle|avenida|paseo|carrera)\s+"
    r"(?:de\s+la\s+|de\s+|du\s+|des\s+|del\s+)?[A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?(?:\s+\d{1,6})?")
_NAME = re.compile(
    r"\b(my name is|my name's|i am called|call me|this is|je m'?appelle|je suis|me llamo|mi nombre es|soy)\s+"
    r"([A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?|[a-zà-ÿ][\w'-]+(?:\s+[a-zà-ÿ][\w'-]+)?)", re.IGNORECASE)
# Words after "this is" / "je suis" / "soy" that are not names ("this is bad", "soy nuevo").
_NOT_NAMES = set("""a an the so very not really bad good scary fine ok okay my your it about for going at on
back later asap now tomorrow tonight anytime whenever when if please pls plz here there

un une le la tres pas malade perdu perdue seul seule en un una muy nuevo nueva solo sola""".split())


def _name(match: re.Match) -> str:
    words = match.group(2).split()
    if words[0].lower() in _NOT_NAMES:
        return match.group(0)
    return f"{match.group(1)} [name]"


# "I'm Jordan", "it's Priya": only a capitalised word counts as a name here, since "i'm high" is not one.
_SELF = re.compile(r"\b([Ii]'?m|I am|[Ii]t'?s|[Hh]ere'?s|[Tt]his is)\s+([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)")
_COMMON = set("""I OK Ok Okay Fine Good Bad High Here There Sorry Scared Not So Just Really Very Still Alone Outside
Home Safe Done Back Sick Lost Tired Hungry Worried Using Going Getting Trying Looking Out In At On The A An It""".split())


def _self_name(match: re.Match) -> str:
    if match.group(2).split()[0] in _COMMON:
        return match.group(0)
    return f"{match.group(1)} [name]"


def scrub(text: str) -> str:
    """Phone numbers, emails, street addresses and self-given names replaced by [placeholders]."""
    text = _EMAIL.sub("[email]", text)
    text = _STREET_FIRST.sub(lambda m: "[address]" if any(c.isdigit() for c in m.group(0)) else m.group(0), text)
    text = _STREET.sub("[address]", text)
    text = _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group(0)) >= 7 else m.group(0), text)
    text = _NAME.sub(_name, text)
    return _SELF.sub(_self_name, text)
