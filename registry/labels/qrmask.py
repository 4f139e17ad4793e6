"""Choosing a QR code's mask: the four ISO/IEC 18004 penalty rules, bit-parallel.

Rows (and columns) of up to 64 modules are packed into uint64 values, so that the eight
masked candidates of a whole batch of codes are scored with a few numpy operations per
rule; :func:`penalty_reference` is the plain module-by-module version the tests compare
it with (and the scorer for symbols wider than ``PACKED_MAX``).
"""

from __future__ import annotations

import numpy as np

PACKED_MAX = 64  # widest symbol (version 11) whose rows fit the uint64 mask scorer


# ------------------------------------------------------------------------ mask scoring
#
# Penalty rules of ISO/IEC 18004 (table "Scoring penalties for features"):
#   N1  a row/column run of >= 5 same-colour modules: 3 + (length - 5)
#   N2  each 2x2 block of one colour: 3 (an m x n block counts (m-1)(n-1) times)
#   N3  1:1:3:1:1 finder-like pattern with 4 light modules on one side: 40
#   N4  10 for every full 5 % the dark share departs from 50 %
#
# What is scored: the symbol with function patterns but with the format and version
# information areas (and the dark module) still light. The standard's encoding
# procedure selects the mask (step 5) before it generates the format and version
# information (step 6), and this is exactly what qrcode does (it scores with
# ``test=True``). Some encoders (e.g. zxing, Nayuki) score after drawing the format
# bits and may count N3 patterns against the quiet zone, so their mask choice differs
# for a few percent of inputs; every choice decodes, the choice only affects
# readability margins. Following qrcode keeps our output identical to qrcode's.


def _pack_rows(bits: np.ndarray) -> np.ndarray:
    """Pack the last axis (<= 64 modules) into uint64 values, module c -> bit c."""
    packed = np.packbits(bits, axis=-1, bitorder="little")
    pad = 8 - packed.shape[-1]
    packed = np.pad(packed, [(0, 0)] * (packed.ndim - 1) + [(0, pad)])
    return np.ascontiguousarray(packed).view("<u8")[..., 0].astype(np.uint64)


_FINDER_LIKE = ((1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0), (0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1))
_ONE = np.uint64(1)


_BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def _popcount_table(values: np.ndarray) -> np.ndarray:
    """Set bits of each uint64, by byte lookup (for numpy < 2.0, no bitwise_count)."""
    as_bytes = np.ascontiguousarray(values, dtype=np.uint64).view(np.uint8)
    return _BYTE_BITS[as_bytes].reshape(values.shape + (8,)).sum(axis=-1)


_popcount = getattr(np, "bitwise_count", _popcount_table)  # numpy >= 2.0 has it built in


def _count(bits: np.ndarray) -> np.ndarray:
    """Set bits per value, as int64 so that weighted sums cannot overflow."""
    return _popcount(bits).astype(np.int64)


def _equal_neighbours(lines: np.ndarray, size: int) -> np.ndarray:
    """Bit j set when module j equals module j+1 (j < S-1).

    Bit-parallel: comparing neighbours across a whole line is one XOR with the line
    shifted by one module.
    """
    return ~(lines ^ (lines >> _ONE)) & np.uint64((1 << (size - 1)) - 1)


def _runs_and_finders(lines: np.ndarray, size: int) -> np.ndarray:
    """N1 + N3 for packed lines ``(..., S)``, summed over the last axis."""
    eq = _equal_neighbours(lines, size)
    # N1: a run of L >= 5 holds L-4 windows of 5 equal modules and one run start,
    # and L - 2 = (L - 4) + 2.
    win5 = eq & (eq >> _ONE) & (eq >> np.uint64(2)) & (eq >> np.uint64(3))
    starts = win5 & ~(eq << _ONE)
    score = _count(win5) + 2 * _count(starts)
    # N3: each 11-module pattern, at positions 0 .. S-11.
    inverse = ~lines & np.uint64((1 << size) - 1)
    for pattern in _FINDER_LIKE:
        hit = np.uint64((1 << (size - 10)) - 1)
        for k, dark in enumerate(pattern):
            hit = hit & ((lines if dark else inverse) >> np.uint64(k))
        score += 40 * _count(hit)
    return score.sum(axis=-1)


def _blocks(rows: np.ndarray, size: int) -> np.ndarray:
    """N2: 3 points per 2x2 block of one colour, from packed rows ``(..., S)``."""
    eq = _equal_neighbours(rows, size)
    same_below = ~(rows[..., :-1] ^ rows[..., 1:])
    return 3 * _count(eq[..., :-1] & eq[..., 1:] & same_below).sum(axis=-1)


def _penalties_packed(rows: np.ndarray, cols: np.ndarray, size: int) -> np.ndarray:
    """Total penalty per candidate from its packed rows and columns ``(..., S)``."""
    dark = _count(rows).sum(axis=-1)
    total = size * size
    balance = 10 * (np.abs(20 * dark - 10 * total) // total)  # N4, exact integer maths
    return (
        _runs_and_finders(rows, size)
        + _runs_and_finders(cols, size)
        + _blocks(rows, size)
        + balance
    )


def penalty_reference(matrix: np.ndarray) -> int:
    """The four penalty rules on one boolean matrix, written plainly (no bit tricks).

    Used for symbols wider than 64 modules (version > 11) and as the oracle the tests
    compare the bit-parallel scorer with.
    """
    m = np.asarray(matrix, dtype=bool)
    size = m.shape[0]
    score = 0
    for lines in (m, m.T):
        for line in lines:
            run = 1
            for a, b in zip(line[:-1], line[1:]):
                if a == b:
                    run += 1
                else:
                    score += run - 2 if run >= 5 else 0
                    run = 1
            score += run - 2 if run >= 5 else 0
            text = "".join("1" if v else "0" for v in line)
            for pattern in _FINDER_LIKE:
                p = "".join(map(str, pattern))
                score += 40 * sum(text.startswith(p, i) for i in range(size - 10))
    same = (m[:-1, :-1] == m[:-1, 1:]) & (m[:-1, :-1] == m[1:, :-1]) & (m[:-1, :-1] == m[1:, 1:])
    score += 3 * int(same.sum())
    dark = int(m.sum())
    score += 10 * (abs(20 * dark - 10 * size * size) // (size * size))
    return score
