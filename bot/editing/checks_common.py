"""What the content check's parts share: severities, names for editors, and the fields people receive."""
import difflib

ERROR, WARNING = "error", "warning"
LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish"}
SENT_FIELDS = ("title", "answer", "more", "emergency", "emergency_self")   # what people actually receive
EMERGENCY_FIELDS = ("emergency", "emergency_self")
MIXING_TEXTS = ("mixing_known", "mixing_unknown")              # used without an English fallback


def _did_you_mean(name: str, topics) -> str:
    close = difflib.get_close_matches(name, list(topics), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""
