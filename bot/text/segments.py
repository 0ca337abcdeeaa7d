"""GSM-7 SMS encoding: what fits in a segment, and text made safe for it."""
import re
import unicodedata

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # each costs two septets

# Characters word processors slip in: what is sent instead (each would quietly switch a whole SMS
# to UCS-2, 70 a segment), and the name a content editor knows them by (bot.editing.check).
TYPOGRAPHIC = {
    "\u2018": ("'", "curly apostrophe"), "\u2019": ("'", "curly apostrophe"), "\u201a": ("'", "low curly quote"),
    "\u201c": ('"', "curly quote"), "\u201d": ('"', "curly quote"), "\u201e": ('"', "low curly quote"),
    "\u2013": ("-", "long dash (en dash)"), "\u2014": ("-", "long dash (em dash)"), "\u2212": ("-", "minus sign"),
    "\u2026": ("...", "three-dot character"), "\u00a0": (" ", "non-breaking space"),
    "\u202f": (" ", "narrow non-breaking space"), "\u2022": ("-", "bullet"), "`": ("'", "backtick"),
    "\u00b4": ("'", "accent mark"), "\t": (" ", "tab"),
}
# Everything GSM-7 lacks that has a plain stand-in (the rest lose their accents, or go).
_REPLACEMENTS = {
    **{c: plain for c, (plain, _) in TYPOGRAPHIC.items()},
    "\u201b": "'", "\u2032": "'", "«": '"', "»": '"', "\u2010": "-", "\u2011": "-", "\u2009": " ",
    "·": "-", "→": "->", "×": "x", "œ": "oe", "Œ": "OE", "ç": "c",
}


_NOT_GSM7 = re.compile("[^" + re.escape("".join(sorted(GSM7_BASIC | GSM7_EXTENDED))) + "]")


def is_gsm7(text: str) -> bool:
    return _NOT_GSM7.search(text) is None


_EXTENDED = re.compile("[" + re.escape("".join(sorted(GSM7_EXTENDED))) + "]")


def septets(text: str) -> int:
    # One scan for the two-septet characters rather than one per character: every reply is measured.
    return len(text) + len(_EXTENDED.findall(text))


def segment_count(text: str) -> int:
    """Segments the message costs: 160/153 septets in GSM-7, 70/67 characters in UCS-2."""
    if not text:
        return 0
    if is_gsm7(text):
        n = septets(text)
        return 1 if n <= 160 else -(-n // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


def to_gsm7(text: str) -> str:
    """Replace what GSM-7 lacks with its nearest plain form; drop emoji and other symbols."""
    if is_gsm7(text):
        return text
    return re.sub(r"  +", " ", _NOT_GSM7.sub(_replacement, text))


def _replacement(match) -> str:
    c = match.group(0)
    if c in _REPLACEMENTS:
        return _REPLACEMENTS[c]
    base = "".join(b for b in unicodedata.normalize("NFKD", c) if not unicodedata.combining(b))
    return base if base and is_gsm7(base) else ""


def split_segments(text: str) -> list[str]:
    """The text cut the way a phone network carries it, for showing editors each segment."""
    if segment_count(text) <= 1:
        return [text] if text else []
    gsm = is_gsm7(text)
    size = 153 if gsm else 67
    parts, current, used = [], "", 0
    for ch in text:
        cost = (2 if ch in GSM7_EXTENDED else 1) if gsm else len(ch.encode("utf-16-le")) // 2
        if used + cost > size:
            parts.append(current)
            current, used = "", 0
        current += ch
        used += cost
    return parts + ([current] if current else [])


def max_chars(segments: int) -> int:
    """GSM-7 septets that fit in this many segments."""
    return 160 if segments == 1 else 153 * segments


_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")


def split_sentences(text: str, limit: int) -> list[str]:
    """Split text into parts of at most `limit` septets, at sentence ends where possible."""
    parts: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text.strip()):
        candidate = f"{current} {sentence}".strip()
        if septets(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while septets(sentence) > limit:  # one very long sentence: cut at a space
            cut = sentence.rfind(" ", 0, limit) if " " in sentence[:limit] else limit
            parts.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        current = sentence
    if current:
        parts.append(current)
    return parts
