"""Emergency detection: runs first on every message, and is built not to miss.

Two readers vote, and either one can raise the alarm (the union is taken for recall):
- rules from `content/emergency.toml`: danger signs (breathing, colour, can't wake, seizure,
  overheating, suicidal intent...) said about someone now, in every language at once;
- a learned model (bot.engine.classifier) trained on the editors' emergency and non-emergency example sets
  (`content/training/<lang>/_emergency.txt`, `_not_emergency.txt`), which carries over to phrasings
  no rule names.
A question about signs, a past event, a "what if" or the law (`calm` patterns) needs more than a rule
hit: the model must agree. When danger words are there but neither reader is sure, the verdict is
`caution`: the reply leads with one safety line, and no staff are alerted.
"""
import math
import re
from dataclasses import dataclass

try:   # the regex parser's own modules: private, so a Python that renames them searches every pattern
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:   # pragma: no cover
    sre = sre_parse = None

from bot.engine.classifier import LinearTextModel
from bot.text.spelling import Speller


def _alarm_edits(word: str) -> int:
    """Panicked typing drops letters even from short words ("cant wke him up"): towards the danger
    words alone, one slip is forgiven from three letters on, two from eight. Words people really use
    (`ordinary`) are never corrected: "take" stays "take", not "wake"; "lying" stays "lying"."""
    return 0 if len(word) < 3 else 1 if len(word) < 8 else 2


def _openings(pattern: str) -> frozenset[str] | None:
    """The two-letter strings every match of `pattern` starts with, or None when that cannot be told
    (a match may start with any letter, or be shorter than two). Zero-width parts (word edges,
    lookarounds) are passed over: leaving out a condition only lets more texts through, never fewer."""
    if sre_parse is None:
        return None
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    found: set[str] = set()

    def walk(items: list, prefix: str) -> bool:
        if len(prefix) >= 2:
            found.add(prefix[:2])
            return True
        if not items:
            return False
        (op, av), rest = items[0], items[1:]
        if op is sre.LITERAL:
            return walk(rest, prefix + chr(av))
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            return walk(rest, prefix)
        if op is sre.SUBPATTERN:
            return walk(list(av[-1]) + rest, prefix)
        if op is sre.BRANCH:
            return all(walk(list(branch) + rest, prefix) for branch in av[1])
        if op is sre.IN and all(kind is sre.LITERAL for kind, _ in av):
            return all(walk(rest, prefix + chr(c)) for _, c in av)
        if op is sre.MAX_REPEAT and av[:2] == (0, 1):   # "x?": without it, or with it once
            return walk(rest, prefix) and walk(list(av[2]) + rest, prefix)
        return False

    return frozenset(found) if walk(list(parsed), "") else None


_EDGE = re.compile(r"\b")


def _starts_at_edge(pattern: str) -> bool:
    """Whether every match starts at a word edge (the whole pattern opens with \\b, not one branch)."""
    parsed = sre_parse.parse(pattern)
    return len(parsed) > 0 and parsed[0] == (sre.AT, sre.AT_BOUNDARY)


class _Separately:
    """A long list searched pattern by pattern, but only the patterns that could match: each is filed
    under the two letters its matches start with, and the text's own pairs of letters pick them out
    (a message leaves some fifteen of the hundred and more). Most patterns start at a word edge, so
    for them only the pairs at the text's word edges are looked up."""

    def __init__(self, patterns: list[str]):
        self.patterns = [re.compile(p) for p in patterns]
        self.always: list[int] = []          # what cannot be filed is searched every time
        self.at_edge: dict[str, list[int]] = {}
        self.anywhere: dict[str, list[int]] = {}
        for i, pattern in enumerate(patterns):
            openings = _openings(pattern)
            if openings is None:
                self.always.append(i)
                continue
            starts_at_edge = _starts_at_edge(pattern)
            for opening in openings:
                (self.at_edge if starts_at_edge else self.anywhere).setdefault(opening, []).append(i)

    def search_any(self, texts) -> bool:
        for text in texts:
            chosen = set(self.always)
            for edge in _EDGE.finditer(text):
                i = edge.start()
                chosen.update(self.at_edge.get(text[i:i + 2], ()))
            if self.anywhere:
                for i in range(len(text) - 1):
                    chosen.update(self.anywhere.get(text[i:i + 2], ()))
            if any(self.patterns[i].search(text) for i in sorted(chosen)):
                return True
        return False


@dataclass(frozen=True)
class Alarm:
    kind: str     # opioid, stimulant, alcohol, suicide, seizure, self
    topic: str    # whose `emergency` text answers it
    self_: bool = False   # the texter is the one in danger ("i think im od-ing")
    # A topic the message names that says more about this emergency (tranq, carfentanil, G): the
    # reply's steps are the kind's, and what follows them (MORE) is this topic's.
    about: str | None = None


@dataclass(frozen=True)
class Verdict:
    alarm: Alarm | None
    caution: bool          # danger words, but not sure it is happening now
    score: float           # the model's probability of an emergency (0 without a model)
    # No alarm, but danger concepts point to one kind of emergency: the topic that explains it
    # (overdose for "what do i do if i see someone passed out"), which the topic ranking favours.
    lean: str | None = None
    law: bool = False      # the lean is a question about the law around an overdose: it goes first


class EmergencyDetector:
    # The model alone raises the alarm above SURE; with a `maybe` rule's support above SUPPORT; a rule
    # hit framed as a question or a past event needs the model above FRAMED. Tuned on the practice sets.
    SURE = 0.5
    SUPPORT = 0.05
    FRAMED = 0.6
    CAUTION = 0.2
    SETTLED = 0.9
    SEPARATE_FROM = 50    # a list longer than this is searched pattern by pattern (see compile_all)

    def __init__(self, spec: dict, languages, model: LinearTextModel | None = None,
                 kind_model: LinearTextModel | None = None, ordinary=frozenset()):
        def compile_all(key):
            # One alternation per list: a single regex pass instead of dozens per message. The leading
            # word boundary most patterns share is tested once, before the alternatives, so only word
            # starts try them (the same matches, a fraction of the time).
            patterns = [p for lang in languages for p in spec.get(lang, {}).get(key, [])]
            if not patterns:
                return None
            if len(patterns) > self.SEPARATE_FROM:
                # Measured: past some seventy alternatives, re tries each one at every word start and
                # separate patterns (each with its own fast prefix scan, stopping at the first hit) win;
                # filing them by how their matches start spares searching most of them at all.
                return _Separately(patterns)
            at_word = [p[2:] for p in patterns if p.startswith("\\b")]
            rest = [p for p in patterns if not p.startswith("\\b")]
            parts = ([r"\b(?:" + "|".join(f"(?:{p})" for p in at_word) + ")"] if at_word else []) + [f"(?:{p})" for p in rest]
            return re.compile("|".join(parts))

        self.now = compile_all("now")
        self.maybe = compile_all("maybe")
        self.urgent = compile_all("urgent")
        self.info = compile_all("info")
        self.calm = compile_all("calm")
        self.law = compile_all("law")
        self.danger = compile_all("danger")
        self.self_ = compile_all("self")
        self.colour = compile_all("colour")
        self.things = compile_all("things")
        self.settled = compile_all("settled")
        self.default_kind = spec.get("default_kind", "opioid")
        self.law_topic = spec.get("law_topic")
        self.kinds = {
            name: (entry["topic"], re.compile(entry["words"]), re.compile(entry["unless"]) if entry.get("unless") else None)
            for name, entry in spec.get("kinds", {}).items()
        }
        self.kind_about = {name: entry["about"] for name, entry in spec.get("kinds", {}).items() if entry.get("about")}
        self.kind_order = list(spec.get("kinds", {}))
        self.named = [(topic, re.compile(words)) for topic, words in spec.get("named", {}).items()]

        def optional(pattern):
            return re.compile(pattern) if pattern else None

        self.opioid_signs = optional(spec.get("opioid_signs", ""))
        self.other_drugs = optional(spec.get("other_drugs", ""))
        self.collapse_signs = optional(spec.get("collapse_signs", ""))
        self.overdose_event = optional(spec.get("overdose_event", ""))
        stimulant = spec.get("kinds", {}).get("stimulant", {})
        self.stimulant_signs = optional(stimulant.get("signs", ""))
        self.upper_signs = optional(stimulant.get("with_upper", ""))
        self.vocabulary = spec.get("vocabulary", {}).get("words", "").split()
        # Typos are also corrected towards the danger words alone, whatever words the topics know: an
        # editor adding "unresponsve" to a topic's examples must not teach the bot to stop reading it
        # as "unresponsive" here.
        danger_words = set(self.vocabulary)
        for lang in languages:
            for key in ("now", "colour", "maybe", "danger", "self"):
                for pattern in spec.get(lang, {}).get(key, []):
                    danger_words.update(re.findall(r"[a-z]{5,}", pattern))
        self.speller = Speller({w for w in danger_words if len(w) >= 4}, edits=_alarm_edits)
        self.ordinary = frozenset(ordinary) - danger_words
        self.model = model
        self.kind_model = kind_model

    @staticmethod
    def _any(pattern, texts) -> bool:
        if pattern is None:
            return False
        if isinstance(pattern, _Separately):
            return pattern.search_any(texts)
        return any(pattern.search(t) for t in texts)

    def probability(self, text: str) -> float:
        if self.model is None:
            return 0.0
        margins = self.model.margins(text)
        margin = float(margins[self.model.classes.index("emergency")] - margins[self.model.classes.index("calm")])
        return 1.0 / (1.0 + math.exp(-3.0 * margin))

    def verdict(self, *texts: str, learned: bool = True) -> Verdict:
        """What the readings of one message say: typed (shorthand expanded) first, then typo-corrected."""
        model_texts = tuple(dict.fromkeys(texts))   # as typed and typo-corrected for the topics
        if texts:
            texts = (*texts, " ".join(w if w in self.ordinary else self.speller.correct(w) or w
                                      for w in texts[0].split()))
            texts = tuple(dict.fromkeys(texts))   # readings are often the same: search each once
        # A colour is a danger sign only about a person: "the sky is blue", "is purple stronger" are not.
        colour = self._any(self.colour, texts) and not self._any(self.things, texts)
        rule_now = colour or self._any(self.now, texts)
        rule_maybe = (not rule_now and self._any(self.maybe, texts) and self._any(self.urgent, texts)
                      and not self._any(self.info, texts))
        # The model reads the message as typed and as typo-corrected for the topics; the reading
        # corrected towards the danger words alone is for the rules ("puse" is not "pulse").
        p = max((self.probability(t) for t in model_texts), default=0.0) if learned else 0.0
        # The framing lists are searched only when they could change the verdict (most messages
        # raise no alarm at all): a question, a past event or a joke (`calm`) needs the model to
        # agree; "it's over, they're fine now" (`settled`) needs it to be very sure.
        if rule_now:
            # A danger sign said plainly is an alarm whatever the model thinks (the union, for recall).
            alarm = p >= self.FRAMED or not self._any(self.calm, texts)
        elif rule_maybe:
            alarm = p >= self.FRAMED or (p >= self.SUPPORT and not self._any(self.calm, texts)
                                         and not self._any(self.law, texts))
        else:
            # The model alone, on a past event, a question or a joke, must be surer than on a plain text.
            alarm = p >= self.FRAMED or (p >= self.SURE and not self._any(self.calm, texts))
        if alarm and p < self.SETTLED and self._any(self.settled, texts):
            alarm = False
        if alarm:
            # The kind reads the message's own words; the reading corrected towards the danger words
            # alone is for raising the alarm ("noise" is not "noose", "saute" not "sauter").
            return Verdict(self._kind(model_texts or texts, texts, colour), False, p)
        caution = rule_now or rule_maybe or self._any(self.danger, texts) or p >= self.CAUTION
        lean, law = None, False
        if caution:
            # A danger sign, asked about or past, says which emergency the question is about; a drug or
            # "od" merely named does not ("how much g is safe, heard its easy to od").
            kind, grounded = self._concepts(model_texts[0] if model_texts else "", " ".join(model_texts),
                                            " ".join(texts), colour)
            # Intent counts only said as plainly as an alarm would need, and not as a joke ("this exam
            # will kill me lol").
            if grounded and kind in self.kinds and (kind != "suicide" or (rule_now and not self._any(self.calm, texts))):
                lean = self.kinds[kind][0]
            elif self.law_topic and self._any(self.law, texts):
                # "Will the cops come if I call 911 for an od?": the Good Samaritan answer is what is asked.
                lean, law = self.law_topic, True
        if lean is None and self.overdose_event is not None and any(self.overdose_event.search(t) for t in texts):
            # "My friend od'd last night but he's fine now, should he get checked?": an overdose that
            # happened, asked about afterwards, is about the overdose topic (a drug merely named with
            # "od" is not: see `overdose_event` in emergency.toml).
            lean = self.kinds[self.default_kind][0] if self.default_kind in self.kinds else None
        return Verdict(None, caution, p, lean, law)

    # Kinds the example sets use that have no reply of their own: answered as these.
    KIND_ALIASES = {"seizure": "stimulant", "self": "opioid"}

    def _named(self, kind: str, text: str) -> bool:
        """Whether the message uses a kind's words (and not its `unless` words)."""
        if kind not in self.kinds:
            return False
        _, words, unless = self.kinds[kind]
        return bool(words.search(text)) and not (unless and unless.search(text))

    def _concepts(self, typed: str, text: str, typo_read: str, colour: bool) -> tuple[str | None, bool]:
        """The kind the message's concepts point to (None when they say nothing telling), and whether a
        danger sign decided it rather than only what was taken. The order
        is emergency.toml's: intent, then signs of an opioid overdose, then of too much of an upper,
        then of a collapse, then what was taken (see the comment above `default_kind`)."""
        def has(pattern):
            return bool(pattern is not None and pattern.search(text))

        if self._named("suicide", text):
            return "suicide", True
        # What was taken is read as typed: the topics' typo correction makes "blinking" "drinking".
        drinking, upper = self._named("alcohol", typed), self._named("stimulant", typed)
        other = bool(self.other_drugs is not None and self.other_drugs.search(typed))
        drinking_only = drinking and not upper and not other
        if colour or has(self.opioid_signs) or (self.opioid_signs is not None and self.opioid_signs.search(typo_read)):
            # The alcohol reply carries naloxone too; drinking is only its kind when nothing else was taken.
            return ("alcohol" if drinking_only else self.default_kind), True
        if self._named("cold", text):
            # Very cold and confused: keep them warm, never the overamp reply's "cool them down".
            return ("alcohol" if drinking_only else "cold"), True
        if has(self.stimulant_signs) and not drinking_only:
            return "stimulant", True
        if upper and has(self.upper_signs):
            return "stimulant", True
        if has(self.collapse_signs):
            return ("alcohol" if drinking_only else self.default_kind), True
        if drinking_only:
            return "alcohol", False
        if upper and not other:
            return "stimulant", False
        if other:
            return self.default_kind, False
        return None, False

    def _kind(self, texts, readings, colour: bool = False) -> Alarm:
        """Which emergency reply: the concepts the message uses (`_concepts`); when they say nothing
        telling ("someone down by the tracks"), the kind model trained on the labelled example sets
        when it is sure, else the default (an opioid overdose)."""
        texts = tuple(texts)
        chosen, _ = self._concepts(texts[0], " ".join(texts), " ".join(readings), colour)
        said_self = False
        if self.kind_model is not None and chosen in (None, self.default_kind):
            ranked = self.kind_model.rank(texts[0], top=len(self.kind_model.classes))
            top = ranked[0] if ranked else None
            if top is not None and top.score >= 0.5:
                label = top.label if top.label in self.kinds else self.KIND_ALIASES.get(top.label)
                chosen = chosen or label
                # "i think im od-ing": the model sure it is the texter in danger gives them their own steps.
                said_self = top.label == "self"
        chosen = chosen or self.default_kind
        if chosen not in self.kinds:
            raise LookupError(f"emergency.toml: kind {chosen!r} has no [kinds] entry")
        is_self = chosen == self.default_kind and (said_self or self._any(self.self_, readings))
        # Intent comes first and stays the crisis reply's; otherwise the first topic the message names
        # as typed (emergency.toml's order) is what follows the steps.
        about = self.kind_about.get(chosen)
        if about is None and chosen != "suicide":
            about = next((topic for topic, words in self.named if words.search(texts[0])), None)
        return Alarm(chosen, self.kinds[chosen][0], is_self, about)
