"""Guess which of the enabled languages a message is written in, from words only that language uses."""
import re


class LanguageGuesser:
    def __init__(self, content, enabled):
        vocab: dict[str, set] = {code: set() for code in enabled}
        for code, lang in content.languages.items():
            if code in vocab:
                vocab[code] |= set(lang.stopwords) | set(lang.shorthand)
                for words in lang.commands.values():
                    vocab[code].update(w for phrase in words for w in phrase.split())
        for topic in content.topics.values():
            for code, text in topic.texts.items():
                if code in vocab:
                    for phrase in [*text.keywords, *text.examples]:
                        vocab[code].update(_words(phrase))
        for sub in content.substances.values():
            for code, name in sub.names.items():
                if code in vocab:
                    vocab[code].update(_words(name))
        for code, cue in content.mixing_cues.items():
            if code in vocab:  # the words of the cue pattern, e.g. "melanger", "mezclar"
                vocab[code].update(w for w in re.findall(r"[a-z]{3,}", cue.replace("\\b", " ")))
        owners: dict[str, set] = {}
        for code, words in vocab.items():
            for w in words:
                owners.setdefault(w, set()).add(code)
        # Only words a single language uses tell languages apart.
        self.owner = {w: next(iter(c)) for w, c in owners.items() if len(c) == 1}
        self.enabled = tuple(enabled)

    def guess(self, words: list[str], prior: str) -> str:
        scores = {code: 0.0 for code in self.enabled}
        if prior in scores:
            scores[prior] += 0.5  # a tie keeps the language the conversation is already in
        for w in words:
            code = self.owner.get(w)
            if code:
                scores[code] += 1.0
        best = max(scores, key=lambda c: (scores[c], c == prior))
        return best if scores[best] > 0 else prior


def _words(text):
    from bot.text.normalise import normalise
    return normalise(text).split()
