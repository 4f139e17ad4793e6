"""Fast, standard-correct QR code matrices (ISO/IEC 18004), PNG and SVG output.

The ``qrcode`` package does the parts that are easy to get subtly wrong: splitting data
into numeric/alphanumeric/byte segments (the same segmentation as ``qrcode.make``),
the version capacity tables, the Reed-Solomon block structure and generator
polynomials, the BCH-coded format/version information and the function patterns. What
is slow in it is pure-Python work per module: mapping bits into the matrix, and scoring
all 8 mask patterns module by module (about 3 ms a code). Here those steps run on numpy
arrays, for a whole batch of codes at once:

* data codewords of a batch -> one ``(N, k)`` array, Reed-Solomon remainders computed
  column by column for all N codes together;
* bits placed with one fancy-indexing assignment (placement order precomputed once per
  version);
* the 8 masked candidates scored with the 4 penalty rules on rows packed into 64-bit
  integers (bit-parallel), and the lowest score chosen, first mask winning ties.

Codes of one label run share version and error correction level, so everything that
depends only on them is computed once (:class:`_Symbol`). The output is identical to
``qrcode``'s for the same input, version and level (the tests check the matrices and
the mask choice against ``qrcode`` and decode codes with zxing-cpp).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import qrcode
from qrcode import base as qr_base
from qrcode import constants as qr_constants
from qrcode import util as qr_util

ECC_LEVELS = {
    "L": qr_constants.ERROR_CORRECT_L,
    "M": qr_constants.ERROR_CORRECT_M,
    "Q": qr_constants.ERROR_CORRECT_Q,
    "H": qr_constants.ERROR_CORRECT_H,
}
QUIET_ZONE = 4  # modules of light margin on every side (ISO 18004)
MIN_MODULE_MM = 0.4  # below this phones start to miss codes (docs/traceability.md)
TARGET_MODULE_MM = 0.5
SEGMENT_MINIMUM = 20  # what qrcode.make uses: QRCode.add_data(optimize=20)
MAX_VERSION = 40
_PAD_BYTES = (0xEC, 0x11)
PACKED_MAX = 64  # widest symbol (version 11) whose rows fit the uint64 mask scorer


class QRCapacityError(ValueError):
    """The data does not fit in any QR version at the requested level."""


def _ecc_value(ecc: str) -> int:
    try:
        return ECC_LEVELS[ecc.upper()]
    except (KeyError, AttributeError):
        raise ValueError(
            f"error correction level must be one of L, M, Q, H (got {ecc!r})"
        ) from None


# --------------------------------------------------------------------------- data bits


def _segments(data: str) -> list[qr_util.QRData]:
    return list(qr_util.optimal_data_chunks(data, minimum=SEGMENT_MINIMUM))


def _payload_bits(segment: qr_util.QRData) -> int:
    n = len(segment)
    if segment.mode == qr_util.MODE_NUMBER:
        return 10 * (n // 3) + (0, 4, 7)[n % 3]
    if segment.mode == qr_util.MODE_ALPHA_NUM:
        return 11 * (n // 2) + 6 * (n % 2)
    return 8 * n


def _bit_length(segments: list[qr_util.QRData], version: int) -> int:
    sizes = qr_util.mode_sizes_for_version(version)
    return sum(4 + sizes[s.mode] + _payload_bits(s) for s in segments)


def _capacity_bits(version: int, ecc_value: int) -> int:
    return qr_util.BIT_LIMIT_TABLE[ecc_value][version]


def _fit_segments(segments, ecc_value: int, minimum: int = 1) -> int:
    for version in range(max(1, minimum), MAX_VERSION + 1):
        if _bit_length(segments, version) <= _capacity_bits(version, ecc_value):
            return version
    raise QRCapacityError("data too long for a QR code")


def fit_version(data: str, ecc: str = "M", minimum: int = 1) -> int:
    """Smallest QR version (>= ``minimum``) that holds ``data`` at level ``ecc``."""
    return _fit_segments(_segments(data), _ecc_value(ecc), minimum)


class _IntBits:
    """A bit buffer on one Python int; duck-types ``qrcode.util.BitBuffer.put``."""

    __slots__ = ("value", "length")

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | num
        self.length += length


def _data_codewords(segments, version: int, ecc_value: int) -> bytes:
    """Segments -> the padded data codewords (ISO 18004 7.4), as bytes."""
    buf = _IntBits()
    for seg in segments:
        buf.put(seg.mode, 4)
        buf.put(len(seg), qr_util.length_in_bits(seg.mode, version))
        if seg.mode == qr_util.MODE_8BIT_BYTE:  # fast path: whole payload at once
            buf.put(int.from_bytes(seg.data, "big"), 8 * len(seg.data))
        else:
            seg.write(buf)
    capacity = _capacity_bits(version, ecc_value)
    if buf.length > capacity:
        raise QRCapacityError(f"data needs {buf.length} bits, version {version} holds {capacity}")
    buf.put(0, min(4, capacity - buf.length))  # terminator
    buf.put(0, -buf.length % 8)  # up to a byte boundary
    words = bytearray(buf.value.to_bytes(buf.length // 8, "big"))
    for i in range(capacity // 8 - len(words)):
        words.append(_PAD_BYTES[i % 2])
    return bytes(words)


# ------------------------------------------------------------------- Reed-Solomon (numpy)


def _gf_mul_table() -> np.ndarray:
    """256x256 multiplication table of GF(2^8) with qrcode's log/antilog tables."""
    exp = np.array(qr_base.EXP_TABLE[:255], dtype=np.uint8)
    log = np.array(qr_base.LOG_TABLE, dtype=np.int64)
    table = exp[(log[:, None] + log[None, :]) % 255]
    table[0, :] = 0
    table[:, 0] = 0
    return table


_GF_MUL = _gf_mul_table()


@lru_cache(maxsize=None)
def _generator(ec_count: int) -> np.ndarray:
    """Coefficients of prod (x - a^i), i < ec_count, without the leading 1."""
    poly = qr_base.Polynomial([1], 0)
    for i in range(ec_count):
        poly = poly * qr_base.Polynomial([1, qr_base.gexp(i)], 0)
    return np.array(list(poly)[1:], dtype=np.uint8)


def _rs_remainders(blocks: np.ndarray, ec_count: int) -> np.ndarray:
    """Error correction codewords of each row of ``blocks`` (rows = data blocks).

    Polynomial long division as a shift register, one data column at a time for all
    rows together.
    """
    gen = _generator(ec_count)
    rem = np.zeros((blocks.shape[0], ec_count), dtype=np.uint8)
    for i in range(blocks.shape[1]):
        factor = blocks[:, i] ^ rem[:, 0]
        rem[:, :-1] = rem[:, 1:]
        rem[:, -1] = 0
        rem ^= _GF_MUL[factor[:, None], gen[None, :]]
    return rem


# ------------------------------------------------------------- per-version precomputation


@dataclass(frozen=True)
class _Symbol:
    """Everything about a (version, level) pair that does not depend on the data."""

    version: int
    ecc_value: int
    size: int
    blocks: tuple  # (data_count, ec_count) per RS block, in order
    interleave: np.ndarray  # final codeword order as indexes into [data | ec]
    data_rows: np.ndarray  # module coordinates of data bits, in placement order
    data_cols: np.ndarray
    masks: np.ndarray  # (8, S, S) bool: modules each mask pattern flips (data only)
    eval_base: np.ndarray  # (S, S) function patterns as scored (see "mask scoring")
    final_function: np.ndarray  # (8, S, S) function patterns + format/version info
    function: np.ndarray  # (S, S) bool: module belongs to a function pattern
    # eval_base and masks packed for the bit-parallel scorer (None when S > 64)
    eval_rows: np.ndarray | None
    eval_cols: np.ndarray | None
    mask_rows: np.ndarray | None
    mask_cols: np.ndarray | None


def _function_template(version: int, ecc_value: int, mask: int | None) -> list[list]:
    """qrcode's own function patterns; mask None = format/version areas left light.

    With ``mask`` None the areas are filled the way qrcode fills them while it scores
    masks (``test=True``): reserved but light.
    """
    qr = qrcode.QRCode(version=version, error_correction=ecc_value)
    size = version * 4 + 17
    qr.modules_count = size
    qr.modules = [[None] * size for _ in range(size)]
    qr.setup_position_probe_pattern(0, 0)
    qr.setup_position_probe_pattern(size - 7, 0)
    qr.setup_position_probe_pattern(0, size - 7)
    qr.setup_position_adjust_pattern()
    qr.setup_timing_pattern()
    qr.setup_type_info(mask is None, mask or 0)
    if version >= 7:
        qr.setup_type_number(mask is None)
    return qr.modules


def _placement_order(function: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Data module coordinates in ISO 18004 placement order (two-column zigzag from the
    bottom right, skipping the vertical timing pattern); same walk as qrcode.map_data."""
    size = function.shape[0]
    rows, cols = [], []
    row, step = size - 1, -1
    for col in range(size - 1, 0, -2):
        if col <= 6:
            col -= 1
        while True:
            for c in (col, col - 1):
                if not function[row, c]:
                    rows.append(row)
                    cols.append(c)
            row += step
            if row < 0 or row >= size:
                row -= step
                step = -step
                break
    return np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)


def _interleave_order(blocks: tuple) -> np.ndarray:
    """Codeword order after interleaving: data codewords block by block column-wise,
    then error correction codewords the same way (ISO 18004 7.6)."""
    data_starts, ec_starts = [], []
    d = e = 0
    for dc, ec in blocks:
        data_starts.append(d)
        ec_starts.append(e)
        d += dc
        e += ec
    order = []
    for i in range(max(dc for dc, _ in blocks)):
        order += [data_starts[b] + i for b, (dc, _) in enumerate(blocks) if i < dc]
    for i in range(max(ec for _, ec in blocks)):
        order += [d + ec_starts[b] + i for b, (_, ec) in enumerate(blocks) if i < ec]
    return np.array(order, dtype=np.intp)


def _mask_patterns(size: int, function: np.ndarray) -> np.ndarray:
    """The 8 data mask conditions of ISO 18004 (i = row, j = column), data modules only."""
    i, j = np.indices((size, size))
    conditions = [
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        (i * j) % 2 + (i * j) % 3 == 0,
        ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        ((i * j) % 3 + (i + j) % 2) % 2 == 0,
    ]
    return np.stack(conditions) & ~function


def _packed_templates(eval_base: np.ndarray, masks: np.ndarray) -> dict:
    if eval_base.shape[0] > PACKED_MAX:
        return dict(eval_rows=None, eval_cols=None, mask_rows=None, mask_cols=None)
    return dict(
        eval_rows=_pack_rows(eval_base),
        eval_cols=_pack_rows(eval_base.T),
        mask_rows=_pack_rows(masks),
        mask_cols=_pack_rows(masks.swapaxes(-1, -2)),
    )


@lru_cache(maxsize=64)
def _symbol(version: int, ecc_value: int) -> _Symbol:
    size = version * 4 + 17
    test = _function_template(version, ecc_value, None)
    function = np.array([[m is not None for m in row] for row in test])
    eval_base = np.array([[bool(m) for m in row] for row in test])
    final_function = np.stack(
        [np.array(_function_template(version, ecc_value, mask), dtype=bool) for mask in range(8)]
    )
    blocks = tuple(
        (b.data_count, b.total_count - b.data_count) for b in qr_base.rs_blocks(version, ecc_value)
    )
    rows, cols = _placement_order(function)
    masks = _mask_patterns(size, function)
    return _Symbol(
        version=version,
        ecc_value=ecc_value,
        size=size,
        blocks=blocks,
        interleave=_interleave_order(blocks),
        data_rows=rows,
        data_cols=cols,
        masks=masks,
        eval_base=eval_base,
        final_function=final_function,
        function=function,
        **_packed_templates(eval_base, masks),
    )


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


# ------------------------------------------------------------------------------ encoding


@dataclass(frozen=True)
class QRSymbol:
    """One encoded code: the module matrix (True = dark, no quiet zone)."""

    matrix: np.ndarray
    version: int
    mask: int


def _encode_group(payloads: list[bytes], sym: _Symbol) -> list[QRSymbol]:
    """Encode data codewords of codes that share version and level."""
    n = len(payloads)
    data = np.frombuffer(b"".join(payloads), dtype=np.uint8).reshape(n, -1)
    parts, offset = [], 0
    for dc, _ in sym.blocks:
        parts.append(data[:, offset : offset + dc])
        offset += dc
    ec_parts = _block_remainders(parts, sym.blocks)
    codewords = np.concatenate([data] + ec_parts, axis=1)[:, sym.interleave]
    bits = np.unpackbits(codewords, axis=1)
    placed = np.zeros((n, sym.size, sym.size), dtype=bool)
    nbits = bits.shape[1]  # remainder modules beyond the codewords stay light
    placed[:, sym.data_rows[:nbits], sym.data_cols[:nbits]] = bits.astype(bool)

    best = _choose_masks(placed, sym)
    final = (placed ^ sym.masks[best]) | sym.final_function[best]
    return [QRSymbol(final[i], sym.version, int(best[i])) for i in range(n)]


def _block_remainders(parts: list[np.ndarray], blocks: tuple) -> list[np.ndarray]:
    """EC codewords of every block; blocks of equal size are divided together, stacked
    as extra rows, so a version with 4 equal blocks costs one pass, not four."""
    by_size: dict[tuple[int, int], list[int]] = {}
    for index, block in enumerate(blocks):
        by_size.setdefault(block, []).append(index)
    result: list[np.ndarray | None] = [None] * len(blocks)
    for (_, ec), indexes in by_size.items():
        stacked = np.concatenate([parts[i] for i in indexes], axis=0)
        rem = _rs_remainders(stacked, ec)
        n = parts[indexes[0]].shape[0]
        for k, i in enumerate(indexes):
            result[i] = rem[k * n : (k + 1) * n]
    return result  # type: ignore[return-value]


def _choose_masks(placed: np.ndarray, sym: _Symbol) -> np.ndarray:
    """Index of the lowest-penalty mask for each unmasked data matrix (first on ties)."""
    if sym.size <= PACKED_MAX:
        rows = _pack_rows(placed)[:, None, :] ^ sym.mask_rows[None] | sym.eval_rows
        cols = _pack_rows(placed.swapaxes(1, 2))[:, None, :] ^ sym.mask_cols[None] | sym.eval_cols
        scores = _penalties_packed(rows, cols, sym.size)
    else:
        scores = np.array(
            [
                [penalty_reference((p ^ sym.masks[m]) | sym.eval_base) for m in range(8)]
                for p in placed
            ]
        )
    return np.argmin(scores, axis=1)


class QRBatchEncoder:
    """Encodes the QR codes of one label run, which share level and version.

    ``version`` is the minimum version, as in ``qrcode.QRCode(version=...)``; when it is
    None, the first call to :meth:`encode_many` fixes it to the smallest version that
    holds the longest of the data it is given. Data that needs more than the run's
    version gets the smallest version that holds it (never truncated).
    """

    def __init__(self, ecc: str = "M", version: int | None = None):
        self.ecc = ecc.upper()
        self._ecc_value = _ecc_value(ecc)
        if version is not None and not 1 <= version <= MAX_VERSION:
            raise ValueError("QR version must be 1..40")
        self.version = version

    def fix_version(self, datas: Sequence[str]) -> int:
        """Fix (if not yet fixed) and return the run's version for these data."""
        if self.version is None:
            self.version = max((fit_version(d, self.ecc) for d in datas), default=1)
        return self.version

    def encode_details(self, datas: Sequence[str]) -> list[QRSymbol]:
        """Encode ``datas``; results in input order, with version and mask."""
        self.fix_version(datas)
        groups: dict[int, list[int]] = {}
        payloads: list[bytes] = []
        for i, data in enumerate(datas):
            segments = _segments(data)
            version = self.version
            if _bit_length(segments, version) > _capacity_bits(version, self._ecc_value):
                version = _fit_segments(segments, self._ecc_value, version)
            payloads.append(_data_codewords(segments, version, self._ecc_value))
            groups.setdefault(version, []).append(i)
        out: list[QRSymbol | None] = [None] * len(datas)
        for version, indexes in groups.items():
            sym = _symbol(version, self._ecc_value)
            for i, code in zip(indexes, _encode_group([payloads[i] for i in indexes], sym)):
                out[i] = code
        return out  # type: ignore[return-value]

    def encode_many(self, datas: Sequence[str]) -> list[np.ndarray]:
        """Module matrices (bool, True = dark, no quiet zone) in input order."""
        return [code.matrix for code in self.encode_details(datas)]


def qr_matrix(data: str, ecc: str = "M", version: int | None = None) -> np.ndarray:
    """The module matrix of one code (bool ``(S, S)``, True = dark, no quiet zone)."""
    return QRBatchEncoder(ecc, version).encode_many([data])[0]


# ------------------------------------------------------------------------------ output


def with_quiet_zone(matrix: np.ndarray, modules: int = QUIET_ZONE) -> np.ndarray:
    return np.pad(matrix, modules, constant_values=False)


def horizontal_runs(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of dark modules per row: (row, first column, length) arrays, row-major.

    A code drawn as one rectangle per run needs about a quarter of the shapes of one
    rectangle per module.
    """
    rows_n, cols_n = matrix.shape
    padded = np.zeros((rows_n, cols_n + 2), dtype=np.int8)
    padded[:, 1:-1] = matrix
    edges = np.diff(padded, axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # same row-major order as the starts
    return rows, starts, ends - starts


def default_dots_per_module(dpi: int) -> int:
    """Whole printer dots giving modules of at least 0.5 mm."""
    return math.ceil(TARGET_MODULE_MM * dpi / 25.4 - 1e-9)


def qr_png(data: str, dpi: int = 300, dots_per_module: int | None = None, ecc: str = "M") -> bytes:
    """A 1-bit PNG of the code with its quiet zone, ``dots_per_module`` printer dots a
    module (default: the fewest giving >= 0.5 mm), tagged with ``dpi`` so it prints at
    the intended size."""
    from PIL import Image

    dots = dots_per_module or default_dots_per_module(dpi)
    if dots * 25.4 / dpi < MIN_MODULE_MM - 1e-9:
        raise ValueError(
            f"{dots} dots at {dpi} dpi make {dots * 25.4 / dpi:.2f} mm modules; "
            f"at least {MIN_MODULE_MM} mm are needed"
        )
    light = ~with_quiet_zone(qr_matrix(data, ecc))
    pixels = np.repeat(np.repeat(light, dots, axis=0), dots, axis=1)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG", dpi=(dpi, dpi), optimize=True)
    return buf.getvalue()


def qr_svg(data: str, module_mm: float = 0.5, ecc: str = "M") -> str:
    """An SVG of the code: one white background and ONE path of dark runs.

    Width and height are in mm (so it prints at size); the viewBox is in modules and
    includes the quiet zone.
    """
    if module_mm < MIN_MODULE_MM:
        raise ValueError(f"modules must be at least {MIN_MODULE_MM} mm")
    matrix = qr_matrix(data, ecc)
    total = matrix.shape[0] + 2 * QUIET_ZONE
    rows, starts, lengths = horizontal_runs(matrix)
    d = "".join(
        f"M{c + QUIET_ZONE} {r + QUIET_ZONE}h{n}v1h-{n}z"
        for r, c, n in zip(rows.tolist(), starts.tolist(), lengths.tolist())
    )
    side = f"{total * module_mm:.3f}".rstrip("0").rstrip(".")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{side}mm" height="{side}mm" viewBox="0 0 {total} {total}" '
        'shape-rendering="crispEdges">'
        f'<rect width="{total}" height="{total}" fill="#fff"/>'
        f'<path fill="#000" d="{d}"/></svg>'
    )
