"""What a QR symbol of one version and level always has: computed once per label run.

Reed-Solomon with numpy (remainders of N codes at once, over qrcode's GF(256) tables),
and per version: qrcode's own function patterns, the data placement order, the block
interleaving order, the 8 mask patterns and their bit-packed forms
(:mod:`~registry.labels.qrmask` scores them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import qrcode
from qrcode import base as qr_base

from .qrmask import PACKED_MAX, _pack_rows

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
