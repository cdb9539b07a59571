"""The vectorised MinHash signatures equal datasketch's MinHash of the same shingle hashes."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from tradefacts.reconcile.stories import (
    BANDS,
    MINHASH_SCHEME,
    NUM_PERM,
    ROWS,
    _permutations,
    band_hashes,
    shingle_hashes,
    signatures,
    similarities,
)

TEXTS = [
    "Товарооборот между Казахстаном и Узбекистаном в 2024 году достиг 4,4 млрд долларов.",
    "Қазақстан мен Өзбекстан арасындағы тауар айналымы 4 млрд доллардан асты.",
    "Trade between Kazakhstan and Uzbekistan reached $4.4 billion in 2024, up 10%.",
    "O'zbekiston va Qozog'iston o'rtasidagi tovar aylanmasi 4,4 mlrd dollarga yetdi.",
    "",  # no words: one empty shingle
    "одно",  # fewer words than a shingle
    "два слова",
    "word " * 700,  # longer than MAX_WORDS, all shingles the same
]


def _datasketch(text: str) -> bytes:
    m = MinHash(num_perm=NUM_PERM, seed=1, scheme=MINHASH_SCHEME, hashfunc=int)
    m.update_batch([int(h) for h in shingle_hashes(text)])
    return m.hashvalues.astype("<u4").tobytes()


def test_permutations_are_datasketchs() -> None:
    a, b = MinHash(num_perm=NUM_PERM, seed=1, scheme=MINHASH_SCHEME).permutations
    mine = _permutations()
    assert (mine[0] == a).all() and (mine[1] == b).all()


@pytest.mark.parametrize("text", TEXTS)
def test_signature_equals_datasketch(text: str) -> None:
    assert signatures([text]) == [_datasketch(text)]


def test_many_texts_at_once_equal_one_at_a_time() -> None:
    texts = [f"{t} {i}" for i in range(70) for t in TEXTS[:4]]  # more than one chunk
    assert signatures(texts) == [signatures([t])[0] for t in texts]


def test_a_chunk_of_long_and_short_texts_equals_datasketch() -> None:
    # words are hashed and mixed for a whole chunk at once; shingles must not straddle
    # two texts, and a chunk with a text shorter than a shingle is taken text by text
    long_only = [f"{TEXTS[i % 4]} {i}" for i in range(9)]
    mixed = [*long_only[:3], "два слова", *long_only[3:], ""]
    for texts in (long_only, mixed):
        assert signatures(texts) == [_datasketch(t) for t in texts]


def test_shingle_hashes_are_32_bit_and_per_shingle() -> None:
    h = shingle_hashes("a b c d e")
    assert h.dtype == np.uint64 and len(h) == 3
    assert int(h.max()) < 2**32


def test_near_duplicates_are_similar_and_others_are_not() -> None:
    base = TEXTS[0] + " " + TEXTS[2] * 3
    near = base.replace("4,4", "4,5")
    sigs = dict(zip("abc", signatures([base, near, TEXTS[3] * 4]), strict=True))
    sims = similarities(sigs, [("a", "b"), ("a", "c"), ("a", "x")])
    assert sims[("a", "b")] > 0.6
    assert sims[("a", "c")] < 0.2
    assert ("a", "x") not in sims  # no signature for x


def test_band_hashes_follow_the_bands_and_the_language() -> None:
    sig = signatures([TEXTS[0]])[0]
    changed = bytearray(sig)
    changed[4 * ROWS] ^= 1  # the first value of the second band
    bands = band_hashes(["ru", "ru", "kk", "ru"], [sig, sig, sig, bytes(changed)])
    assert bands.shape == (4, BANDS) and bands.dtype == np.int64
    assert (bands[0] == bands[1]).all()
    assert not (bands[0] == bands[2]).any()  # another language shares no band
    assert [int(x) for x in bands[0] != bands[3]] == [0, 1] + [0] * (BANDS - 2)
    assert len(set(bands[0].tolist())) == BANDS
    assert band_hashes([], []).shape == (0, BANDS)
