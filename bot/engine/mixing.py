"""Combination questions: "can I mix X and Y" answered from the curated pair table."""
import re
from itertools import combinations


def _phrase(text: str) -> re.Pattern:
    # Word edges by hand: "\b" would not match around "+" ("g + booze").
    return re.compile(rf"(?<![a-z0-9]){re.escape(text)}(?![a-z0-9])")


def _any_phrase(texts) -> re.Pattern:
    """One search for several phrases, the same matches as their `_phrase` patterns joined by "|" (the
    alternatives are tried in the same order, backtracking into the next when the end edge fails); the
    start edge, tested once before them, keeps re from trying every alternative at every letter."""
    return re.compile("(?<![a-z0-9])(?:" + "|".join(re.escape(t) for t in texts) + ")(?![a-z0-9])")


class MixingTable:
    def __init__(self, content):
        self.substances = content.substances
        self.pairs = content.pairs
        self.single: dict[str, list[str]] = {}
        self.multi: dict[str, list[str]] = {}
        for sid, sub in content.substances.items():
            for word in sub.words:
                if " " in word:
                    self.multi.setdefault(word, []).append(sid)
                elif len(word) > 1:  # one letter ("e", "k") is too often something else
                    self.single.setdefault(word, []).append(sid)
        for table in (self.single, self.multi):
            for word, sids in table.items():
                table[word] = list(dict.fromkeys(sids))
        # Longest first, so "liquid ecstasy" is read before anything inside it.
        self.multi_patterns = [(_phrase(p), self.multi[p]) for p in sorted(self.multi, key=len, reverse=True)]
        # Most messages name no phrase at all: one search says so, before the phrases are read one by one.
        self.any_multi = _any_phrase(self.multi) if self.multi else None
        # A word listed under two substances names a blend ("speedball"): a mixing question by itself.
        self.blends = {w for w, sids in self.single.items() if len(sids) > 1}
        self.blend_phrases = [pattern for pattern, sids in self.multi_patterns if len(sids) > 1]
        # "come down", "drink water": the word is there, the substance is not.
        phrases = [p for sub in content.substances.values() for p in sub.not_words]
        self.not_substance = _any_phrase(phrases) if phrases else None
        self.cues = [re.compile(p) for p in content.mixing_cues.values()]
        self.contamination = [re.compile(p) for p in content.contamination_cues.values()]
        self.open_cues = [re.compile(p) for p in content.open_mixing_cues.values()]

    @property
    def vocabulary(self):
        # The words of phrases too, or the speller "corrects" "syrup" in "cough syrup" into something else.
        words = dict.fromkeys(self.single)
        words.update(dict.fromkeys(w for phrase in self.multi for w in phrase.split() if len(w) > 1 and w != "+"))
        return list(words)

    def _without_not_words(self, text: str, words: list[str]) -> tuple[str, list[str]]:
        if self.not_substance is not None and self.not_substance.search(text):
            text = self.not_substance.sub(" ", text)
            words = text.split()
        return text, words

    def substances_in(self, text: str, words: list[str]) -> list[str]:
        present = set(words)   # before not_words take "water should i drink" out
        text, words = self._without_not_words(text, words)
        found: list[str] = []
        if self.any_multi is not None and self.any_multi.search(text):
            for pattern, sids in self.multi_patterns:
                if pattern.search(text):
                    found += [s for s in sids if s not in found]
                    text = pattern.sub(" ", text)  # "liquid ecstasy" is GHB only, not GHB and MDMA
                    words = text.split()
        for w in words:
            found += [s for s in self.single.get(w, ()) if s not in found
                      and not (w in self.substances[s].loose_words and present & set(self.substances[s].not_with))]
        return found

    def question(self, text: str, words: list[str]) -> list[str] | None:
        """The substances asked about together, or None when this is not a mixing question."""
        found = self.substances_in(text, words)
        if len(found) < 2:
            return None
        if any(c.search(text) for c in self.contamination):
            return None
        if not any(c.search(text) for c in self.cues) and not self._names_blend(text, words):
            return None
        return found[:3]

    def open_question(self, text: str, words: list[str]) -> bool:
        """"What can I take with suboxone?": one substance named, what goes with it left open."""
        return any(c.search(text) for c in self.open_cues) and len(self.substances_in(text, words)) == 1

    def _names_blend(self, text: str, words: list[str]) -> bool:
        text, words = self._without_not_words(text, words)
        return any(w in self.blends for w in words) or any(p.search(text) for p in self.blend_phrases)

    # The worst pair comes first, so on SMS it is the one sent whole before any MORE; a pair without
    # a rating could be anything, so it comes before the milder ones.
    ORDER = {"dangerous": 0, "unsafe": 1, None: 2, "caution": 3, "low": 4}

    def answer(self, found: list[str], lang) -> tuple[str, str]:
        """The reply text for these substances, and the worst risk named ('' when none known)."""
        parts: list[tuple[str | None, str]] = []
        for a, b in combinations(found, 2):
            names = (self._name(a, lang.code), self._name(b, lang.code))
            pair = self.pairs.get(frozenset((a, b)))
            if pair is None:
                parts.append((None, lang.text["mixing_unknown"].format(a=names[0], b=names[1])))
                continue
            note = pair.note.get(lang.code) or pair.note.get("en", "")
            parts.append((pair.risk, lang.text["mixing_known"].format(a=names[0], b=names[1],
                                                                      risk=lang.risk[pair.risk], note=note)))
        parts.sort(key=lambda part: self.ORDER[part[0]])   # stable: same risk keeps the message's order
        known = [risk for risk, _ in parts if risk]
        return " ".join(text for _, text in parts), (known[0] if known else "")

    def _name(self, sid, lang):
        names = self.substances[sid].names
        return names.get(lang) or names.get("en") or sid
