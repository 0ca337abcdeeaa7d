"""Turn what people actually type into plain comparable words."""
import functools
import re
import unicodedata

_REPEATS = re.compile(r"(.)\1{2,}")          # "helppp" -> "helpp"; the speller finishes the job
_APOSTROPHE = "[\u0027\u2018\u2019\u02bc`\u00b4]"     # the straight one and what phones and word processors type
_APOSTROPHES = re.compile(_APOSTROPHE)
# French elision ("l'alcool", "c'est", "qu'est-ce") splits into two words; elsewhere the apostrophe
# just goes ("don't" -> "dont"), the way people who skip it write anyway.
_ELISION = re.compile(r"\b(l|d|j|c|n|s|m|t|qu|jusqu|lorsqu|puisqu)" + _APOSTROPHE + "(?=[a-z])")
_NON_WORD = re.compile(r"[^a-z0-9+]+")
# Emoji are dropped, but a laughing face says "this is a joke" as plainly as "lol" does ("dying rn 😂"):
# it is read as that word. (A skull or a crying face is not: they are said in earnest too.)
_LAUGHING = re.compile("[\U0001F602\U0001F923\U0001F606\U0001F639\U0001F605\U0001F601]")
_PLUS_ALONE = re.compile(r"(?<![a-z0-9])\+(?![a-z0-9])|(?<=[a-z])\+|\+(?=[a-z])")


def strip_accents(text: str) -> str:
    if text.isascii():   # most messages: nothing to decompose, and the per-letter pass below is not free
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Lower-case ASCII words separated by single spaces; emoji and punctuation dropped.

    Apostrophes vanish ("don't" -> "dont", "od'ing" -> "oding") except French elision, which splits
    ("c'est" -> "c est"). A lone "+" survives as a word: "fent + benzos".
    """
    text = _LAUGHING.sub(" lol ", text)
    text = strip_accents(text.lower())
    text = text.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    text = _ELISION.sub(r"\1 ", text)
    text = _APOSTROPHES.sub("", text)
    text = _PLUS_ALONE.sub(" + ", text)
    text = _NON_WORD.sub(" ", text)
    text = _REPEATS.sub(r"\1\1", text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=1 << 16)
def normalise_content(text: str) -> str:
    """normalise() for the editors' own text (keywords, examples, training lines), remembered: the
    engine is built again on every content edit, and the content check builds one for each edit it
    tries. Never used on texters' messages, which are not kept, not even in memory."""
    return normalise(text)


def expand_shorthand(words: list[str], shorthand: dict[str, str]) -> list[str]:
    out: list[str] = []
    for word in words:
        out.extend(shorthand.get(word, word).split())
    return out
