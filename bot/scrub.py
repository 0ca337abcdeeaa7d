"""Take identifying details out of what people write before any of it is stored."""
import re

_PHONE = re.compile(r"(?<![\w])(?:\+?\d[\s().\-/]{0,2}){7,15}(?![\w])")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_STREET = re.compile(
    r"\b\d{1,6}[a-z]?(?:\s+[\w.'-]+){0,4}?\s+(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|drive|dr|lane|ln|"
    r"way|court|ct|crescent|cres|place|pl|trail|tr|terrace|close|gate|rue|calle|avenida)\b\.?(?:\s+(?:nw|ne|sw|se|n|s|e|w)\b)?",
    re.IGNORECASE)
_NAME = re.compile(
    r"\b(my name is|my name's|i am called|call me|this is|je m'?appelle|je suis|me llamo|mi nombre es|soy)\s+"
    r"([A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?|[a-zà-ÿ][\w'-]+(?:\s+[a-zà-ÿ][\w'-]+)?)", re.IGNORECASE)
# Words after "this is" / "je suis" / "soy" that are not names ("this is bad", "soy nuevo").
_NOT_NAMES = set("""a an the so very not really bad good scary fine ok okay my your it about for going
un une le la tres pas malade perdu perdue seul seule en un una muy nuevo nueva solo sola""".split())


def _name(match: re.Match) -> str:
    words = match.group(2).split()
    if words[0].lower() in _NOT_NAMES:
        return match.group(0)
    return f"{match.group(1)} [name]"


def scrub(text: str) -> str:
    """Phone numbers, emails, street addresses and self-given names replaced by [placeholders]."""
    text = _EMAIL.sub("[email]", text)
    text = _STREET.sub("[address]", text)
    text = _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group(0)) >= 7 else m.group(0), text)
    return _NAME.sub(_name, text)
