"""The qrcode internals registry.labels.qr builds on, checked so that an upgrade of qrcode
that changes them fails here, by name, rather than printing wrong codes.

registry.labels.qr keeps its own numpy encoder because it is about 50 times faster per
code than qrcode's or segno's public API (benchmarks/qr_matrix_bench.py, figures in
benchmarks/README.md); it takes the tables that are easy to get subtly wrong from
qrcode (segmentation, capacities, Reed-Solomon blocks and generator, function patterns).
setup.cfg pins qrcode below 9 for the same reason.
"""

from __future__ import annotations

import numpy as np
import pytest
import qrcode
from qrcode import base as qr_base
from qrcode import util as qr_util

from registry.labels.qr import ECC_LEVELS, QRBatchEncoder


def test_the_internal_names_used_still_exist():
    for module, names in (
        (qr_util, ["optimal_data_chunks", "mode_sizes_for_version", "BIT_LIMIT_TABLE",
                   "length_in_bits", "MODE_NUMBER", "MODE_ALPHA_NUM", "MODE_8BIT_BYTE", "QRData"]),
        (qr_base, ["EXP_TABLE", "LOG_TABLE", "Polynomial", "gexp", "rs_blocks"]),
        (qrcode.QRCode, ["setup_position_probe_pattern", "setup_position_adjust_pattern",
                         "setup_timing_pattern", "setup_type_info", "setup_type_number"]),
    ):
        missing = [name for name in names if not hasattr(module, name)]
        assert not missing, f"qrcode no longer has {missing} in {module.__name__}"


def test_the_tables_still_mean_what_the_encoder_assumes():
    m = ECC_LEVELS["M"]
    # ISO/IEC 18004 table 7: data bits of version 1-M and 40-M; blocks of 5-M.
    assert qr_util.BIT_LIMIT_TABLE[m][1] == 128 and qr_util.BIT_LIMIT_TABLE[m][40] == 18672
    assert [(b.total_count, b.data_count) for b in qr_base.rs_blocks(5, m)] == [(67, 43)] * 2
    assert qr_util.mode_sizes_for_version(9)[qr_util.MODE_8BIT_BYTE] == 8
    assert qr_util.mode_sizes_for_version(10)[qr_util.MODE_8BIT_BYTE] == 16
    assert qr_base.EXP_TABLE[8] == 29 and qr_base.LOG_TABLE[29] == 8  # GF(256), 0x11d
    chunks = list(qr_util.optimal_data_chunks("HTTPS://X.VN/01/08939999000017", minimum=20))
    assert [c.mode for c in chunks] == [qr_util.MODE_ALPHA_NUM]


@pytest.mark.parametrize(
    "ecc, versions",
    [("L", range(1, 12)), ("M", [*range(1, 13), 20, 40]), ("Q", range(1, 12)), ("H", range(1, 12))],
)
def test_the_matrix_equals_qrcode_public_api_with_the_same_mask(ecc, versions):
    """Every version a label uses (1-11, the bit-parallel scorer) and beyond (the
    reference scorer): the matrix equals what qrcode's public API draws with that mask."""
    for version in versions:
        datas = [f"{version:02d}08939999"]  # numeric: fits version 1-H
        if version >= 7:  # byte mode and mixed segments
            datas.append(f"https://ocop.example.vn/01/08939999000017/10/L{version:02d}{ecc}")
        for data in datas:
            (code,) = QRBatchEncoder(ecc, version).encode_details([data])
            assert code.version == version
            ref = qrcode.QRCode(version=version, error_correction=ECC_LEVELS[ecc], border=0,
                                mask_pattern=code.mask)
            ref.add_data(data)
            ref.make(fit=False)
            drawn = np.array(ref.get_matrix(), dtype=bool)
            assert np.array_equal(code.matrix, drawn), (version, data)
