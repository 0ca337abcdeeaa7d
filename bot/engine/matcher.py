"""Score topics against a message: typo-corrected words, weighted by how telling each word is.

Every keyword, synonym, slang term and example phrase of every topic (in every language) becomes a
set of content words. A message's words are corrected against the known vocabulary, then only the
topics that share a word with it are scored, so the cost follows what the message says, not how
much content there is. A phrase scores by how much of it the message contains (a keyword must be
there whole to count fully) and how much of the message it explains; rapidfuzz's token ratio
rescues near-identical example messages the word-level view would undervalue.
"""
import math
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.text.normalise import normalise_content
from bot.text.spelling import Speller


@dataclass(frozen=True)
class Phrase:
    topic: str
    lang: str
    words: frozenset
    text: str          # content words joined, for rapidfuzz
    is_example: bool
    reduced: bool = False   # a several-word keyword that filler removal left as one word ("charge me")


@dataclass(frozen=True)
class Scored:
    topic: str
    score: float


class Matcher:
    def __init__(self, topics, languages, extra_vocabulary=()):
        self.languages = languages
        self.phrases_by_topic: dict[str, list[Phrase]] = {}
        self.postings: dict[str, set[str]] = {}
        for topic in topics.values():
            phrases = []
            for lang, text in topic.texts.items():
                stop = languages[lang].stopwords if lang in languages else frozenset()
                for raw in [text.title, *text.keywords]:
                    phrases.extend(self._phrases(topic.id, lang, raw, stop, is_example=False))
                for raw in text.examples:
                    phrases.extend(self._phrases(topic.id, lang, raw, stop, is_example=True))
            self.phrases_by_topic[topic.id] = phrases
            for phrase in phrases:
                for word in phrase.words:
                    self.postings.setdefault(word, set()).add(topic.id)
        n = max(len(topics), 1)
        self.weight = {w: 1.0 + math.log(n / len(ts)) for w, ts in self.postings.items()}
        self.unknown_weight = 1.0 + math.log(n)
        self.phrase_weight = {p: sum(self.weight[w] for w in p.words)
                              for phrases in self.phrases_by_topic.values() for p in phrases}
        # Where each word is used, as (phrase, its weight) by topic: a message is scored against the
        # phrases that share one of its words, not every phrase of every topic it touches (a topic has
        # a hundred or more). By position, so a phrase listed twice still counts twice.
        self.at_word: dict[str, dict[str, list[int]]] = {}
        self.weighed: dict[str, list[tuple[Phrase, float]]] = {}
        for topic_id, phrases in self.phrases_by_topic.items():
            self.weighed[topic_id] = [(p, self.phrase_weight[p]) for p in phrases]
            for i, phrase in enumerate(phrases):
                for word in phrase.words:
                    self.at_word.setdefault(word, {}).setdefault(topic_id, []).append(i)
        self.speller = Speller(set(self.postings) | set(extra_vocabulary))
        # A typo is corrected towards the words of the message's language, words several languages
        # share (drug names) and the emergency and mixing vocabulary, never towards another
        # language's everyday word: "parrot" is not the French "garrot".
        by_lang: dict[str, set[str]] = {}
        for phrases in self.phrases_by_topic.values():
            for phrase in phrases:
                by_lang.setdefault(phrase.lang, set()).update(phrase.words)
        seen_in = {}
        for words in by_lang.values():
            for word in words:
                seen_in[word] = seen_in.get(word, 0) + 1
        shared = {w for w, n in seen_in.items() if n > 1} | set(extra_vocabulary)
        self.correctable = {lang: frozenset(words | shared) for lang, words in by_lang.items()}

    @staticmethod
    def _phrases(topic_id, lang, raw, stop, is_example):
        words = normalise_content(raw).split()
        content = [w for w in words if w not in stop] or words
        if not content:
            return []
        reduced = not is_example and len(words) > 1 and len(content) == 1
        out = [Phrase(topic_id, lang, frozenset(content), " ".join(content), is_example, reduced)]
        if not is_example and 1 < len(content) <= 3:
            # "k hole" is also texted as "khole", "test strips" as "teststrips".
            out.append(Phrase(topic_id, lang, frozenset(["".join(content)]), "".join(content), False))
        return out

    def correct(self, word: str, lang: str | None = None) -> str | None:
        """The known word a typo stands for, among the words of `lang` (all words when None)."""
        return self.speller.correct(word, self.correctable.get(lang) if lang else None)

    def content_words(self, words: list[str], stop) -> list[str]:
        """The message's meaningful words (already typo-corrected by the caller)."""
        out = [w for w in words if w not in stop] or list(words)  # "hello", "thanks" are all filler
        # A two-word keyword typed as one ("fentstrips") or split ("nar can") still counts.
        for a, b in zip(words, words[1:]):
            joined = a + b
            if joined in self.postings and joined not in out:
                out.append(joined)
        return out

    def score(self, message_words: list[str]) -> list[Scored]:
        """Topics ranked by score, best first; only topics sharing a word with the message."""
        words = set(message_words)
        if not words:
            return []
        sharing: dict[str, set[int]] = {}
        for w in words:
            for topic_id, found in self.at_word.get(w, {}).items():
                sharing.setdefault(topic_id, set()).update(found)
        total = sum(self.weight.get(w, self.unknown_weight) for w in words)
        text = " ".join(sorted(words))
        results = []
        weight = self.weight.__getitem__
        for topic_id, positions in sharing.items():
            best = 0.0
            strong = 0
            weighed = self.weighed[topic_id]
            for i in positions:
                phrase, need = weighed[i]
                shared = phrase.words & words
                got = sum(map(weight, shared))
                of_phrase = got / need
                of_message = got / total
                if phrase.reduced:
                    # One ordinary word left of a phrase ("charge" of "charge me") says little on its own
                    # in a longer message ("charge my phone"): it must carry most of the message.
                    s = of_phrase ** 1.5 * (0.25 + 0.75 * of_message)
                else:
                    s = of_phrase ** 1.5 * (0.6 + 0.4 * of_message)
                if phrase.is_example:
                    ratio = fuzz.token_sort_ratio(text, phrase.text, score_cutoff=80) / 100.0   # below 80: 0, and sooner
                    s = max(s * 0.95, ratio * 0.95 if ratio >= 0.8 else 0.0)
                if s >= 0.6:
                    strong += 1
                best = max(best, s)
            # Several different phrases of one topic agreeing is worth a little more.
            best = min(1.0, best + 0.03 * max(0, strong - 1))
            results.append(Scored(topic_id, round(best, 4)))
        results.sort(key=lambda r: (-r.score, r.topic))
        return results
