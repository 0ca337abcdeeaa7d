"""Time per message through the engine, in-process, with the full content and with ten times as many topics.

Usage: python bench/engine_speed.py [--rounds N]
Prints median and 99th-percentile microseconds per message for each content size, and the ratio.
"""
import argparse
import random
import shutil
import statistics
import string
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import config as config_module  # noqa: E402
from bot.conversation.conversations import build_engine  # noqa: E402
from bot.messages import Message  # noqa: E402
from bot.store.state import State  # noqa: E402

MESSAGES = [
    "someone is overdosing what do i do", "what are the signs of an opioid overdose", "narcam",
    "where can i pick up narcan", "how do fentanyl test strips work", "benzos mixed in my dope",
    "can i mix alcohol and benzos", "tips for injecting safer", "molly safe?", "dope sick",
    "k hole", "fent strips", "i feel like ending my life", "need a shelter tonight", "hello",
    "what time is it in tokyo", "ou trouver de la naloxone", "mi amigo tiene una sobredosis",
    "how do i start methadone", "my tolerance is low after a break", "abcess on my arm hurts",
    "is it ok to smoke meth after drinking", "wat r the signs of od", "first time trying mushrooms",
]


def synthetic_topics(content_dir: Path, factor: int, seed: int = 7) -> None:
    """Add (factor - 1) x as many made-up topics, shaped like the real ones, to a content copy."""
    rng = random.Random(seed)
    real = sorted((content_dir / "topics").glob("*.toml"))
    common = ["safe", "risk", "first", "time", "dose", "friend", "night", "signs", "pills", "smoke"]

    def word():
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 9)))

    for i in range(len(real) * (factor - 1)):
        keywords = [word() for _ in range(12)] + [f"{word()} {word()}" for _ in range(3)]
        examples = [" ".join([word(), rng.choice(common), word(), rng.choice(common)]) for _ in range(8)]
        (content_dir / "topics" / f"synthetic-{i}.toml").write_text(
            f'id = "synthetic-{i}"\nreviewed = 2026-11-24\nsources = ["bench"]\n[en]\ntitle = "Synthetic {i}"\n'
            f"keywords = {keywords!r}\nexamples = {examples!r}\n".replace("'", '"')
            + 'answer = "A made-up answer for benchmarking."\n'
        )


def measure(engine, rounds: int) -> list[float]:
    for text in MESSAGES:  # warm caches the way a running server would be
        engine.reply(Message(text, channel="sms"), State())
    times = []
    for _ in range(rounds):
        for text in MESSAGES:
            start = time.perf_counter()
            engine.reply(Message(text, channel="sms"), State())
            times.append((time.perf_counter() - start) * 1e6)
    return times


def report(label, times):
    times = sorted(times)
    median = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"{label:<28} topics={label.split()[0]:>5}  median {median:7.1f} us  p99 {p99:7.1f} us  ({len(times)} messages)")
    return median


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    cfg = config_module.load()
    engine = build_engine(cfg)
    n = len(engine.content.topics)
    base = report(f"{n} topics (real content)", measure(engine, args.rounds))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "content"
        shutil.copytree(cfg.content_dir, copy)
        synthetic_topics(copy, 10)
        big = build_engine(replace(cfg, content_dir=copy))
        m = len(big.content.topics)
        large = report(f"{m} topics (10x content)", measure(big, args.rounds))
    print(f"ten times the content costs {large / base:.2f}x the time per message (target < 3x; median target < 1 ms)")


if __name__ == "__main__":
    main()
