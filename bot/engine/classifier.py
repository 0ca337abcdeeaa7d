"""Learned text models beside the keyword/fuzzy matcher: which topic a message is about, and whether
it describes an emergency happening now.

Both are linear models over character n-grams of the normalised text (robust to typos, slang
spellings and all three languages at once) plus whole words, trained with scikit-learn from what
editors own in `content/`: every topic's keywords and examples and the phrasings in
`content/training/`. Training takes a few seconds, so a trained model is remembered per content
version: in the process, and on disk (`BOT_MODEL_CACHE`, default `~/.cache/harm-reduction-bot`; it
holds only what the content says, nothing about any texter). Scoring one message does not go through
scikit-learn: the vocabulary and weights are copied into a dict and an array, so a message costs a
few dozen dict look-ups and one small matrix sum.
"""
import functools
import hashlib
import logging
import os
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_CACHE: dict[str, "LinearTextModel"] = {}
_CACHE_LOCK = threading.Lock()
_FORMAT = "1"      # bump when features or training change, so old files on disk are not used
log = logging.getLogger("bot.engine.classifier")


def cache_dir() -> Path:
    return Path(os.environ.get("BOT_MODEL_CACHE") or Path.home() / ".cache" / "harm-reduction-bot")


@dataclass(frozen=True)
class Ranked:
    label: str
    score: float     # 0..1, a softmax over the classes' margins


class LinearTextModel:
    """A trained linear model with its own fast feature extraction."""

    NGRAMS = (2, 5)

    def __init__(self, classes, vocabulary, idf, weights, bias, temperature):
        self.classes = [str(c) for c in classes]
        self.vocabulary = vocabulary          # feature string -> row
        self.idf = idf                        # row -> idf weight
        self.weights = weights                # rows x classes
        self.bias = bias
        self.temperature = temperature

    # -- features: the same as sklearn's char_wb analyzer plus word unigrams and bigrams ----------

    @staticmethod
    @functools.lru_cache(maxsize=512)
    def features(text: str) -> tuple[str, ...]:
        """Character 2-5-grams of each word padded with spaces, and its words and word pairs. Cached:
        one message's readings go through several models."""
        words = text.split()
        out: list[str] = []
        lo, hi = LinearTextModel.NGRAMS
        for word in words:
            padded = f" {word} "
            for n in range(lo, hi + 1):
                if n > len(padded):
                    break
                out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
        out.extend(f"w:{w}" for w in words)
        out.extend(f"b:{a}_{b}" for a, b in zip(words, words[1:]))
        return tuple(out)

    @classmethod
    def train(cls, texts: list[str], labels: list[str], C: float = 0.5, temperature: float = 4.0,
              class_weight=None) -> "LinearTextModel":
        key = hashlib.sha256(repr((_FORMAT, texts, labels, C, temperature, class_weight)).encode()).hexdigest()
        with _CACHE_LOCK:
            if key in _CACHE:
                return _CACHE[key]
        trained = cls._load(key, temperature)
        if trained is None:
            trained = cls._fit(texts, labels, C, temperature, class_weight)
            trained._save(key)
        with _CACHE_LOCK:
            _CACHE[key] = trained
        return trained

    @classmethod
    def _fit(cls, texts, labels, C, temperature, class_weight) -> "LinearTextModel":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        vectorizer = TfidfVectorizer(analyzer=lambda text: cls.features.__wrapped__(text), sublinear_tf=True, min_df=1)
        matrix = vectorizer.fit_transform(texts)
        model = LinearSVC(C=C, class_weight=class_weight).fit(matrix, labels)
        coef = model.coef_.T.astype(np.float32)
        bias = model.intercept_.astype(np.float32)
        classes = list(model.classes_)
        if len(classes) == 2:
            # sklearn keeps one column for two classes (positive = classes[1]); make it two.
            coef = np.hstack([-coef / 2, coef / 2])
            bias = np.array([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
        vocabulary = {f: int(i) for f, i in vectorizer.vocabulary_.items()}
        return cls(classes, vocabulary, vectorizer.idf_.astype(np.float32), coef, bias, temperature)

    # -- the disk cache: plain arrays (no pickle), written atomically --------------------------------

    @classmethod
    def _load(cls, key, temperature) -> "LinearTextModel | None":
        path = cache_dir() / f"model-{key}.npz"
        try:
            with np.load(path, allow_pickle=False) as data:
                features = data["features"].tolist()
                return cls(data["classes"].tolist(), {f: i for i, f in enumerate(features)}, data["idf"],
                           data["weights"], data["bias"], temperature)
        except (OSError, KeyError, ValueError):
            return None

    def _save(self, key) -> None:
        folder = cache_dir()
        features = [""] * len(self.vocabulary)
        for feature, row in self.vocabulary.items():
            features[row] = feature
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, suffix=".npz", delete=False) as f:
                np.savez(f, features=np.array(features), classes=np.array(self.classes), idf=self.idf,
                         weights=self.weights, bias=self.bias)
            os.replace(f.name, folder / f"model-{key}.npz")
        except OSError as exc:   # a read-only home: the model still works, it is just trained again next time
            log.warning("could not keep the trained model in %s (%s)", folder, exc)

    # -- scoring ----------------------------------------------------------------------------------

    def margins(self, text: str) -> np.ndarray:
        # The vocabulary look-ups and the counting run in C (map over dict.get, Counter): a long
        # message has hundreds of n-grams, and Python loops over them cost more than the model itself.
        counts = Counter(map(self.vocabulary.get, self.features(text)))
        counts.pop(None, None)
        if not counts:
            return self.bias.copy()
        rows = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        values *= self.idf[rows]
        values /= float(np.sqrt(np.dot(values, values))) or 1.0
        return values @ self.weights[rows] + self.bias

    def rank(self, text: str, top: int = 5) -> list[Ranked]:
        margins = self.margins(text)
        scaled = margins * self.temperature
        scaled -= scaled.max()
        probs = np.exp(scaled)
        probs /= probs.sum()
        order = np.argsort(-probs)[:top]
        return [Ranked(self.classes[i], float(probs[i])) for i in order]
