"""Emergency detection: runs first on every message, and is built not to miss."""
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Alarm:
    kind: str     # suicide, alcohol, stimulant, opioid
    topic: str    # whose `emergency` text answers it


class EmergencyDetector:
    def __init__(self, spec: dict, languages):
        def compile_all(key):
            # One alternation per list: a single regex pass instead of dozens per message.
            patterns = [p for lang in languages for p in spec.get(lang, {}).get(key, [])]
            return [re.compile("|".join(f"(?:{p})" for p in patterns))] if patterns else []

        self.now = compile_all("now")
        self.maybe = compile_all("maybe")
        self.urgent = compile_all("urgent")
        self.info = compile_all("info")
        self.default_kind = spec.get("default_kind", "opioid")
        self.kinds = [
            (name, entry["topic"], re.compile(entry["words"]), re.compile(entry["unless"]) if entry.get("unless") else None)
            for name, entry in spec.get("kinds", {}).items()
        ]
        self.vocabulary = spec.get("vocabulary", {}).get("words", "").split()

    def check(self, *texts: str) -> Alarm | None:
        """An Alarm if any reading of the message says something is happening now."""
        for text in texts:
            if any(p.search(text) for p in self.now):
                return self._kind(texts)
        def any_of(patterns):
            return any(p.search(t) for t in texts for p in patterns)

        if any_of(self.maybe) and any_of(self.urgent) and not any_of(self.info):
            return self._kind(texts)
        return None

    def _kind(self, texts) -> Alarm:
        joined = " ".join(texts)
        for name, topic, words, unless in self.kinds:
            if words.search(joined) and not (unless and unless.search(joined)):
                return Alarm(name, topic)
        for name, topic, _, _ in self.kinds:
            if name == self.default_kind:
                return Alarm(name, topic)
        raise LookupError(f"emergency.toml: default_kind {self.default_kind!r} has no [kinds] entry")
