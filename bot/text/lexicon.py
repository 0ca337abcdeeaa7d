"""Words people really write in each language, from a word-frequency list (wordfreq).

Typo correction only knows the content's own vocabulary, so without this a real word it has not seen
is "corrected" into one it has: "confusing" into "convulsing", "ready" into "reads", "stops" into
"steps". A word common in one of the bot's languages is what the texter meant; it is kept as typed.
Typos of danger words ("unresponsve", "wke", "breathin") are rare enough not to be in the list.
"""
from functools import lru_cache

from wordfreq import get_frequency_list

from bot.text.normalise import normalise

# Zipf 3 is one use per million words: everyday vocabulary, and rare enough a threshold that common
# misspellings ("recieve", "wont") are mostly below it or harmless.
COMMON = 3.0


@lru_cache(maxsize=8)
def common_words(lang: str, zipf: float = COMMON) -> frozenset[str]:
    """The language's words at least as frequent as `zipf`, normalised as messages are."""
    words: set[str] = set()
    # The list comes in buckets of one centibel each, most frequent first: bucket i holds words of
    # Zipf frequency 9 - i/100.
    for i, bucket in enumerate(get_frequency_list(lang)):
        if 9 - i / 100 < zipf:
            break
        for word in bucket:
            # Not normalise_content: tens of thousands of words would push the editors' phrases out of
            # its cache; this set is itself kept, once per language.
            words.update(normalise(word).split())
    return frozenset(w for w in words if w.isalpha())
