"""QR matrices: identical to qrcode's, masks chosen by the ISO penalty rules, decodable."""

from __future__ import annotations

import io
import random
import re
import string

import numpy as np
import pytest
import qrcode
from PIL import Image
from qrcode import util as qr_util

from registry.labels import qrmask, qrsymbol
from registry.labels.qr import (
    ECC_LEVELS,
    QRBatchEncoder,
    QRCapacityError,
    fit_version,
    horizontal_runs,
    penalty_reference,
    qr_matrix,
    qr_png,
    qr_svg,
    with_quiet_zone,
)

from .support import decode_one

TYPICAL = "https://ocop.example.vn/01/08939999000017/10/L2024-001/21/ABCD2345EFGH?17=261231"
SERIAL_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def random_address(rng: random.Random) -> str:
    lot = "".join(
        rng.choice(string.ascii_letters + string.digits + "-.") for _ in range(rng.randint(1, 20))
    )
    serial = "".join(rng.choice(SERIAL_CHARS) for _ in range(12))
    day = rng.randint(10, 31)
    return f"https://ocop.example.vn/01/08939999000017/10/{lot}/21/{serial}?17=2612{day}"


def random_text(rng: random.Random) -> str:
    alphabet = rng.choice(
        [
            string.digits,  # numeric mode
            string.digits + string.ascii_uppercase + " $%*+-./:",  # alphanumeric mode
            string.printable,  # mixed segments
        ]
    )
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 160)))


def qrcode_reference(data: str, ecc: str, version: int | None = None):
    """qrcode's own (version, best mask, matrix) for ``data``."""
    ref = qrcode.QRCode(version=version, error_correction=ECC_LEVELS[ecc], border=0)
    ref.add_data(data)
    ref.make(fit=True)
    mask = ref.best_mask_pattern()
    ref.makeImpl(False, mask)
    return ref.version, mask, np.array(ref.modules, dtype=bool)


@pytest.mark.parametrize("ecc", ["L", "M", "Q", "H"])
def test_matrices_and_masks_equal_qrcode(ecc):
    """Same version, same mask choice, same modules as qrcode, on 100 inputs per level."""
    rng = random.Random(ecc)
    for i in range(100):
        data = random_address(rng) if i % 2 else random_text(rng)
        (code,) = QRBatchEncoder(ecc).encode_details([data])
        version, mask, matrix = qrcode_reference(data, ecc)
        assert (code.version, code.mask) == (version, mask), data
        assert np.array_equal(code.matrix, matrix), data


def test_mask_choice_agrees_with_qrcode_on_a_batch_of_label_addresses():
    """A run of 300 addresses encoded in one batch: every mask matches qrcode's choice."""
    rng = random.Random(11)
    datas = [random_address(rng) for _ in range(300)]
    encoder = QRBatchEncoder("M", version=6)
    codes = encoder.encode_details(datas)
    masks = {code.mask for code in codes}
    assert len(masks) > 3  # the choice really varies with the data
    for data, code in zip(datas, codes):
        version, mask, matrix = qrcode_reference(data, "M", version=6)
        assert code.mask == mask and np.array_equal(code.matrix, matrix)


def test_large_versions_use_the_reference_scorer_and_still_match():
    data = "x" * 400  # version > 11 at level M: wider than 64 modules
    (code,) = QRBatchEncoder("M").encode_details([data])
    assert code.version > 11
    version, mask, matrix = qrcode_reference(data, "M")
    assert (code.version, code.mask) == (version, mask)
    assert np.array_equal(code.matrix, matrix)


def test_bit_parallel_penalties_equal_qrcode_lost_point_and_the_reference():
    rng = random.Random(5)
    for _ in range(12):
        data = random_address(rng)
        version = fit_version(data, "M")
        sym = qrsymbol._symbol(version, ECC_LEVELS["M"])
        ref = qrcode.QRCode(version=version, error_correction=ECC_LEVELS["M"])
        ref.add_data(data)
        for mask in range(8):
            ref.makeImpl(True, mask)  # what qrcode scores: format areas still light
            candidate = np.array(ref.modules, dtype=bool)
            rows = qrmask._pack_rows(candidate)[None]
            cols = qrmask._pack_rows(candidate.T)[None]
            packed = int(qrmask._penalties_packed(rows, cols, sym.size)[0])
            assert packed == qr_util.lost_point(ref.modules) == penalty_reference(candidate)


def test_typical_address_is_version_5_or_less_at_m():
    assert len(TYPICAL) <= 85
    assert fit_version(TYPICAL, "M") <= 5
    assert qr_matrix(TYPICAL).shape[0] <= 37


@pytest.mark.parametrize("ecc", ["M", "Q"])
def test_random_inputs_decode_with_zxing(ecc):
    rng = random.Random(f"zxing-{ecc}")
    for i in range(60):
        data = random_address(rng) if i % 3 else random_text(rng)
        image = Image.open(io.BytesIO(qr_png(data, dpi=300, ecc=ecc)))
        assert decode_one(image) == data


def test_batch_shares_one_version_and_decodes():
    rng = random.Random(9)
    datas = [random_address(rng) for _ in range(40)]
    encoder = QRBatchEncoder("Q")
    matrices = encoder.encode_many(datas)
    longest = max(fit_version(d, "Q") for d in datas)
    assert encoder.version == longest
    assert {m.shape for m in matrices} == {(4 * longest + 17,) * 2}
    for data, matrix in zip(datas, matrices[:10]):
        assert decode_one(_image(matrix)) == data


def test_longer_data_later_in_a_run_gets_a_bigger_code_not_a_truncated_one():
    encoder = QRBatchEncoder("M")
    short = encoder.encode_many(["https://x.vn/01/08939999000017"])
    long_data = TYPICAL + "&extra=" + "y" * 60
    (big,) = encoder.encode_many([long_data])
    assert big.shape[0] > short[0].shape[0]
    assert decode_one(_image(big)) == long_data


def test_explicit_version_is_a_minimum():
    assert qr_matrix("hello", version=6).shape == (41, 41)
    with pytest.raises(ValueError):
        QRBatchEncoder("M", version=41)
    with pytest.raises(ValueError):
        QRBatchEncoder("X")


def test_too_much_data_is_refused():
    with pytest.raises(QRCapacityError):
        qr_matrix("x" * 3000, ecc="H")


def test_horizontal_runs_rebuild_the_matrix():
    matrix = qr_matrix(TYPICAL)
    rebuilt = np.zeros_like(matrix)
    rows, starts, lengths = horizontal_runs(matrix)
    for r, c, n in zip(rows, starts, lengths):
        rebuilt[r, c : c + n] = True
    assert np.array_equal(rebuilt, matrix)
    assert len(rows) < matrix.sum() / 1.5  # far fewer shapes than dark modules


def test_png_has_whole_dots_a_quiet_zone_and_its_dpi():
    image = Image.open(io.BytesIO(qr_png(TYPICAL, dpi=300)))
    modules = qr_matrix(TYPICAL).shape[0] + 8
    assert image.mode == "1"
    assert image.size == (modules * 6, modules * 6)  # 6 dots = 0.508 mm at 300 dpi
    assert tuple(round(v) for v in image.info["dpi"]) == (300, 300)
    pixels = np.array(image)
    assert pixels[: 4 * 6].all() and pixels[:, : 4 * 6].all()  # light quiet zone
    assert Image.open(io.BytesIO(qr_png(TYPICAL, dpi=203))).size[0] == modules * 4  # 0.50 mm
    with pytest.raises(ValueError):
        qr_png(TYPICAL, dpi=300, dots_per_module=4)  # 0.34 mm modules


def test_svg_is_one_path_sized_in_mm_with_the_quiet_zone():
    svg = qr_svg(TYPICAL, module_mm=0.5)
    matrix = qr_matrix(TYPICAL)
    total = matrix.shape[0] + 8
    assert svg.count("<path") == 1 and "<rect" in svg and svg.count("<rect") == 1
    assert f'width="{total * 0.5:g}mm"' in svg
    assert f'viewBox="0 0 {total} {total}"' in svg
    # Redraw the path's rectangles and compare with the matrix plus quiet zone.
    drawn = np.zeros((total, total), dtype=bool)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        drawn[int(y), int(x) : int(x) + int(w)] = True
    assert np.array_equal(drawn, with_quiet_zone(matrix))
    with pytest.raises(ValueError):
        qr_svg(TYPICAL, module_mm=0.3)


def _image(matrix: np.ndarray, scale: int = 6) -> Image.Image:
    light = ~with_quiet_zone(matrix)
    return Image.fromarray(np.kron(light, np.ones((scale, scale), dtype=bool)))


def test_popcount_fallback_for_older_numpy():
    rng = np.random.default_rng(1)
    values = rng.integers(0, 2**63, size=(3, 8, 37), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    expected = np.array([bin(int(v)).count("1") for v in values.ravel()]).reshape(values.shape)
    assert np.array_equal(qrmask._popcount_table(values), expected)
    assert np.array_equal(qrmask._popcount(values).astype(np.int64), expected)
