"""Typo correction against the words the content knows, in time that does not grow with content.

A symmetric-delete index (the SymSpell idea): every known word is stored under each string made by
deleting up to two of its letters. A typo shares at least one such string with the word it meant,
so looking it up costs the same whether the content has 40 topics or 4000. Candidates are then
ranked by rapidfuzz's optimal-string-alignment distance, which counts a swap ("overdoes") as one.
"""
import functools

from rapidfuzz.distance import OSA


def _deletes(word: str, depth: int) -> set[str]:
    """Every string made by deleting up to `depth` letters, one level at a time (each level's
    duplicates, as in "coffee", are dropped before the next)."""
    out = frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out = out | frontier
    return out


def max_edits(word: str) -> int:
    """Short words tolerate fewer typos: a one-letter change turns 'meth' into 'math', and two
    changes turn everyday six-letter words into topic words ('demain' into 'humain', 'buenos' into 'benzos')."""
    if len(word) <= 4:
        return 0
    if len(word) <= 6:
        return 1
    return 2


class Speller:
    def __init__(self, words, edits=max_edits):
        self.words = frozenset(w for w in words if w)
        self.max_edits = edits
        self._index = _index(self.words, edits)
        self._cache: dict[tuple[str, frozenset | None], str | None] = {}
        self._preferred: set[str] = set()
        self.longest = max(map(len, self.words), default=0)

    def prefer(self, words) -> None:
        """On a tie, correct towards these (topic words) rather than filler words."""
        self._preferred = set(words)
        self._cache.clear()

    def correct(self, word: str, among: frozenset | None = None) -> str | None:
        """The known word meant by `word`, or None when nothing is close enough. With `among`, a
        typo is only corrected to one of those words (a known word is always kept as it is)."""
        if word in self.words:
            return word
        key = (word, among)   # a frozenset caches its hash; an id() could be reused by a new set
        if key in self._cache:
            return self._cache[key]
        best = self._lookup(word, among)
        if len(self._cache) < 50_000:
            self._cache[key] = best
        return best

    def _lookup(self, word: str, among: frozenset | None = None) -> str | None:
        budget = self.max_edits(word)
        # A word longer than any known one by more than the budget is within no edit distance of
        # them; and its deletes grow with the cube of its length (a 1600-letter SMS took minutes).
        if budget == 0 or len(word) > self.longest + budget:
            return None
        candidates: set[str] = set()
        for key in _deletes(word, budget):
            candidates.update(self._index.get(key, ()))
        best, best_key = None, None
        for cand in candidates:
            if among is not None and cand not in among:
                continue
            allowed = min(budget, self.max_edits(cand))
            dist = OSA.distance(word, cand, score_cutoff=allowed)
            if dist > allowed:
                continue
            # Prefer fewer edits, then the same first letter (people rarely mistype it), then length.
            rank = (dist, cand not in self._preferred, cand[0] != word[0], abs(len(cand) - len(word)), cand)
            if best_key is None or rank < best_key:
                best, best_key = cand, rank
        return best


@functools.lru_cache(maxsize=16)
def _index(words: frozenset, edits) -> dict[str, tuple[str, ...]]:
    """The delete index for a vocabulary. Shared, read-only, by every speller of the same words: a
    content edit that leaves the vocabulary as it was (an answer, a number) does not rebuild it, and
    neither does the content check, which builds the engine again for each edit it tries."""
    index: dict[str, list[str]] = {}
    for word in sorted(words):
        for key in _deletes(word, edits(word)):
            index.setdefault(key, []).append(word)
    return {key: tuple(found) for key, found in index.items()}
