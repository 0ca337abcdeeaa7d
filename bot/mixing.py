"""Combination questions: "can I mix X and Y" answered from the curated pair table."""
import re
from itertools import combinations


class MixingTable:
    def __init__(self, content):
        self.substances = content.substances
        self.pairs = content.pairs
        self.single = {}
        self.multi = []
        for sid, sub in content.substances.items():
            for word in sub.words:
                if " " in word:
                    self.multi.append((re.compile(rf"\b{re.escape(word)}\b"), sid))
                elif len(word) > 1:  # one letter ("e", "k") is too often something else
                    self.single.setdefault(word, sid)
        # "come down", "drink water": the word is there, the substance is not.
        phrases = [p for sub in content.substances.values() for p in sub.not_words]
        self.not_substance = re.compile("|".join(rf"\b{re.escape(p)}\b" for p in phrases)) if phrases else None
        self.cues = [re.compile(p) for p in content.mixing_cues.values()]
        self.contamination = [re.compile(p) for p in content.contamination_cues.values()]

    @property
    def vocabulary(self):
        return list(self.single)

    def substances_in(self, text: str, words: list[str]) -> list[str]:
        if self.not_substance is not None and self.not_substance.search(text):
            text = self.not_substance.sub(" ", text)
            words = text.split()
        found = []
        for pattern, sid in self.multi:
            if pattern.search(text) and sid not in found:
                found.append(sid)
        for w in words:
            sid = self.single.get(w)
            if sid and sid not in found:
                found.append(sid)
        return found

    def question(self, text: str, words: list[str]) -> list[str] | None:
        """The substances asked about together, or None when this is not a mixing question."""
        found = self.substances_in(text, words)
        if len(found) < 2:
            return None
        if not any(c.search(text) for c in self.cues) or any(c.search(text) for c in self.contamination):
            return None
        return found[:3]

    def answer(self, found: list[str], lang) -> tuple[str, str]:
        """The reply text for these substances, and the worst risk named ('' when none known)."""
        order = {"dangerous": 0, "unsafe": 1, "caution": 2, "low": 3}
        sentences, worst = [], ""
        for a, b in combinations(found, 2):
            names = (self._name(a, lang.code), self._name(b, lang.code))
            pair = self.pairs.get(frozenset((a, b)))
            if pair is None:
                sentences.append(lang.text["mixing_unknown"].format(a=names[0], b=names[1]))
                continue
            note = pair.note.get(lang.code) or pair.note.get("en", "")
            sentences.append(lang.text["mixing_known"].format(a=names[0], b=names[1], risk=lang.risk[pair.risk], note=note))
            if not worst or order[pair.risk] < order[worst]:
                worst = pair.risk
        return " ".join(sentences), worst

    def _name(self, sid, lang):
        names = self.substances[sid].names
        return names.get(lang) or names.get("en") or sid
