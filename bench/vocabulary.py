"""Seeded English-looking text for generated data: words drawn with a Zipf distribution.

The head of the vocabulary is the words of the demo's seed article
(factcheck/demo/seed-article-inf-treaty.txt, shipped with the app), most frequent
first, so the common words are real English; the long tail is made-up words built
from syllables, as rare as a real vocabulary's tail. A few ``RARE_WORDS`` are put
into claims at a known low rate, so searches for a rare word have a handful of
matches at every size.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from importlib import resources

# Zipf's exponent for written English is close to 1.
ZIPF_EXPONENT = 1.07
VOCABULARY_SIZE = 20_000
# Each rare word goes into about one claim in RARE_EVERY.
RARE_WORDS = ("hovercraft", "zeppelin", "marzipan", "sextant", "aqueduct")
RARE_EVERY = 20_000
# Consonant-vowel syllables and a few common endings.
_ENDINGS = "bar con dis ter ment tion ver pro ing est ous ble"
_SYLLABLES = [c + v for c in "bdfgklmnprstv" for v in "aeiou"] + _ENDINGS.split()
_WORD = re.compile(r"[A-Za-z][a-z]+(?:'[a-z]+)?")


def seed_article() -> str:
    return resources.files("factcheck.demo").joinpath("seed-article-inf-treaty.txt").read_text("utf-8")


class Vocabulary:
    """Draws words, sentences and paragraphs from one seeded random generator."""

    def __init__(self, rng: random.Random, size: int = VOCABULARY_SIZE) -> None:
        self.rng = rng
        counts = Counter(word.lower() for word in _WORD.findall(seed_article()))
        words = [word for word, _ in counts.most_common()]
        known = set(words) | set(RARE_WORDS)
        # Made-up words of 2 to 4 syllables for the tail, in a seeded order.
        made_up = rng.sample(
            [
                "".join(parts)
                for length in (2, 3)
                for parts in itertools.product(_SYLLABLES, repeat=length)
                if "".join(parts) not in known
            ],
            size - len(words),
        )
        self.words = words + made_up
        weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, len(self.words) + 1)]
        self._cumulative = list(itertools.accumulate(weights))

    def draw(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self._cumulative, k=count)

    def sentence(self, low: int, high: int, *, rare: bool = False) -> str:
        """A sentence of ``low`` to ``high`` words; sometimes with a figure, as claims often have."""
        words = self.draw(self.rng.randint(low, high))
        if self.rng.random() < 0.3:
            figure = self.rng.choice(("{} percent", "{} million", "{} billion", "{}", "in {}"))
            number = self.rng.choice((self.rng.randint(2, 99), self.rng.randint(1990, 2026)))
            words.insert(self.rng.randrange(len(words)), figure.format(number))
        if rare:
            for word in RARE_WORDS:
                if self.rng.randrange(RARE_EVERY) == 0:
                    words.insert(self.rng.randrange(len(words)), word)
        if len(words) > 8 and self.rng.random() < 0.4:
            words[self.rng.randrange(2, len(words) - 2)] += ","
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def sentences(self, count: int, low: int = 8, high: int = 24) -> list[str]:
        return [self.sentence(low, high) for _ in range(count)]

    def paragraphs(self, count: int, sentences: tuple[int, int] = (2, 5)) -> str:
        return "\n\n".join(" ".join(self.sentences(self.rng.randint(*sentences))) for _ in range(count))

    def title(self) -> str:
        return self.sentence(4, 9).rstrip(".")
