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

Why not the public API of qrcode or segno: matrix-only, a label address costs about
10 ms a code with either and 0.2 ms here (``benchmarks/qr_matrix_bench.py``; figures in
``benchmarks/README.md``), and a run of thousands of labels must print in seconds.
What is taken from qrcode's internals is listed and checked by
``tests/labels/test_qr_internals.py``, so that an upgrade that changes them fails there
(setup.cfg pins ``qrcode<9``). Per-version tables: :mod:`~registry.labels.qrsymbol`;
mask scoring: :mod:`~registry.labels.qrmask`.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from qrcode import constants as qr_constants
from qrcode import util as qr_util

from .qrmask import PACKED_MAX, _pack_rows, _penalties_packed, penalty_reference
from .qrsymbol import _rs_remainders, _Symbol, _symbol

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
