"""How well the bot understands realistic messages, per language, beside simple anchors.

Usage: python bench/eval.py [FILE.jsonl ...] [--by-file] [--misses N]
With no files: ../shared/eval/practice_*.jsonl and tests/data/blind/*.jsonl (whatever exists).

Each line: {"text", "topics": [ids] or null, "emergency": bool or null, "escalate": true or null, "lang"}.
Prints per language: right topic first (the bot's `topic`, or null when it says it doesn't know),
emergency recall, false-alarm rate, escalation recall; then the same right-topic rate for two anchors
built from the same content (keywords and examples, as editors wrote them):
  - fuzzy: rapidfuzz token_set_ratio against every keyword and example, best match wins;
  - ngram: a character n-gram logistic regression trained on the keywords and examples.
An anchor answers null when its best score is below the threshold tuned for it on the same set (generous).
"""
import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.conversation.conversations import build_engine  # noqa: E402
from bot.messages import Message  # noqa: E402
from bot.store.state import State  # noqa: E402
from bot.text.normalise import normalise  # noqa: E402


def default_files():
    files = sorted((ROOT.parent / "shared" / "eval").glob("practice_*.jsonl"))
    files += sorted((ROOT / "tests" / "data" / "blind").glob("*.jsonl"))
    return files


def load(paths):
    cases = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                case["file"] = Path(path).name
                cases.append(case)
    return cases


def right(case, topic):
    return topic is None if case["topics"] is None else topic in case["topics"]


def bot_answers(engine, cases):
    out = []
    for case in cases:
        reply = engine.reply(Message(case["text"], channel="sms"), State())
        out.append(reply)
    return out


class FuzzyAnchor:
    def __init__(self, content):
        from rapidfuzz import fuzz, process
        self.fuzz, self.process = fuzz, process
        self.choices, self.labels = [], []
        for topic in content.topics.values():
            for text in topic.texts.values():
                for phrase in [*text.keywords, *text.examples]:
                    self.choices.append(normalise(phrase))
                    self.labels.append(topic.id)

    def scores(self, text):
        best = self.process.extractOne(normalise(text), self.choices, scorer=self.fuzz.token_set_ratio)
        return (self.labels[best[2]], best[1] / 100.0) if best else (None, 0.0)


class NgramAnchor:
    def __init__(self, content):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        texts, labels = [], []
        for topic in content.topics.values():
            for text in topic.texts.values():
                for phrase in [*text.keywords, *text.examples]:
                    texts.append(normalise(phrase))
                    labels.append(topic.id)
        self.vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        self.model = LogisticRegression(C=10, max_iter=2000).fit(self.vec.fit_transform(texts), labels)

    def scores(self, text):
        probs = self.model.predict_proba(self.vec.transform([normalise(text)]))[0]
        i = probs.argmax()
        return self.model.classes_[i], float(probs[i])


def anchor_rate(anchor, cases):
    """Right-topic rate with the null threshold that suits the anchor best on these very cases."""
    got = [anchor.scores(c["text"]) for c in cases]
    best = 0.0
    for threshold in [i / 20 for i in range(20)]:
        hits = sum(right(c, topic if score >= threshold else None) for c, (topic, score) in zip(cases, got))
        best = max(best, hits / len(cases))
    return best


def rate(n, d):
    return f"{n / d:.2f} ({n}/{d})" if d else "  -  "


def scores(cases, replies) -> dict:
    topic_hits = sum(right(c, r.topic) for c, r in zip(cases, replies))
    emerg = [r for c, r in zip(cases, replies) if c["emergency"] is True]
    calm = [r for c, r in zip(cases, replies) if c["emergency"] is False]
    esc = [r for c, r in zip(cases, replies) if c.get("escalate")]
    return {"n": len(cases), "right_topic": topic_hits / len(cases),
            "emergency_recall": sum(r.emergency for r in emerg) / len(emerg) if emerg else 1.0,
            "false_alarms": sum(r.emergency for r in calm) / len(calm) if calm else 0.0,
            "escalation_recall": sum(bool(r.escalate) for r in esc) / len(esc) if esc else 1.0}


def report(name, cases, replies, anchors):
    topic_hits = sum(right(c, r.topic) for c, r in zip(cases, replies))
    emerg = [(c, r) for c, r in zip(cases, replies) if c["emergency"] is True]
    calm = [(c, r) for c, r in zip(cases, replies) if c["emergency"] is False]
    esc = [(c, r) for c, r in zip(cases, replies) if c.get("escalate")]
    line = (f"{name:<22} n={len(cases):<4} right topic {rate(topic_hits, len(cases))}  "
            f"emergency recall {rate(sum(r.emergency for _, r in emerg), len(emerg))}  "
            f"false alarms {rate(sum(r.emergency for _, r in calm), len(calm))}  "
            f"escalation recall {rate(sum(bool(r.escalate) for _, r in esc), len(esc))}")
    print(line)
    anchor_text = "  ".join(f"{label} {anchor_rate(a, cases):.2f}" for label, a in anchors)
    print(f"{'':<22} anchors (right topic): {anchor_text}")


def misses(cases, replies, limit):
    shown = 0
    for c, r in zip(cases, replies):
        problems = []
        if not right(c, r.topic):
            problems.append(f"topic {r.topic} (want {c['topics']})")
        if c["emergency"] is not None and r.emergency != c["emergency"]:
            problems.append(f"emergency {r.emergency}")
        if problems and shown < limit:
            print(f"  [{c['lang']}] {c['text'][:110]!r}: {'; '.join(problems)} ({r.kind}, {r.confidence:.2f})")
            shown += 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--by-file", action="store_true", help="one block per file instead of per language")
    parser.add_argument("--misses", type=int, default=0, help="print up to N wrong answers")
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--json", action="store_true", help="also print the scores as one JSON line, last")
    args = parser.parse_args(argv)
    files = args.files or default_files()
    if not files:
        print("no evaluation files found (../shared/eval/ is not beside this clone)")
        return 0
    engine = build_engine()
    cases = load(files)
    replies = bot_answers(engine, cases)
    anchors = [] if args.no_anchors else [("fuzzy", FuzzyAnchor(engine.content)), ("ngram", NgramAnchor(engine.content))]
    groups = defaultdict(list)
    for i, c in enumerate(cases):
        groups[c["file"] if args.by_file else c["lang"]].append(i)
    print("files: " + ", ".join(Path(f).name for f in files))
    for name, idx in sorted(groups.items()):
        report(name, [cases[i] for i in idx], [replies[i] for i in idx], anchors)
    if args.misses:
        print("misses:")
        misses(cases, replies, args.misses)
    if args.json:
        print(json.dumps({name: scores([cases[i] for i in idx], [replies[i] for i in idx])
                          for name, idx in sorted(groups.items())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
