"""Matrix-only time per QR code: qrcode's public API, segno's, and registry.labels.qr.

The same label URLs (as a run of the demo's lot prints them: one version, level M) are
encoded by each library to a module matrix, nothing else (no image, no PDF), in one run
on one machine. Each library's matrices are checked against the others' (the same mask
choice is not required between qrcode and segno, but every matrix must decode with
zxing-cpp to the URL it encodes). Prints microseconds per code and the ratio to
registry.labels.qr.

    python benchmarks/qr_matrix_bench.py              # 2000 codes per library
    python benchmarks/qr_matrix_bench.py --codes 500
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def urls(count: int) -> list[str]:
    from registry.labels.links import label_url_factory
    from registry.labels.serials import SerialSigner

    signer = SerialSigner(b"benchmark-signing-key-0123456789abcdef")
    url = label_url_factory("https://ocop.example.vn", gtin14="08939999000017",
                            product_code=None, lot="LC2611A", expiry=date(2026, 12, 31))
    return [url(serial) for serial in signer.make_many("08939999000017", "LC2611A", 1, count)]


def with_qrcode(datas, version):
    import qrcode

    out = []
    for data in datas:
        code = qrcode.QRCode(
            version=version, error_correction=qrcode.constants.ERROR_CORRECT_M, border=0
        )
        code.add_data(data)
        code.make(fit=False)
        out.append(np.array(code.get_matrix(), dtype=bool))
    return out


def with_segno(datas, version):
    import segno

    return [
        np.array(segno.make_qr(data, error="m", version=version, boost_error=False).matrix,
                 dtype=bool)
        for data in datas
    ]


def with_registry(datas, version):
    from registry.labels.qr import QRBatchEncoder

    return QRBatchEncoder("M", version).encode_many(datas)


def decodes(matrix: np.ndarray, data: str) -> bool:
    import zxingcpp
    from PIL import Image

    from registry.labels.qr import with_quiet_zone

    image = Image.fromarray(np.where(with_quiet_zone(matrix), 0, 255).astype(np.uint8))
    image = image.resize((image.width * 4, image.height * 4), Image.NEAREST)
    found = zxingcpp.read_barcodes(image)
    return bool(found) and found[0].text == data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=2000)
    args = parser.parse_args()
    from registry.labels.qr import QRBatchEncoder

    datas = urls(args.codes)
    version = QRBatchEncoder("M").fix_version(datas)
    print(f"{args.codes} label URLs of {len(datas[0])} characters, QR version {version}, level M")
    results = {}
    libraries = (("registry.labels.qr", with_registry), ("qrcode (public API)", with_qrcode),
                 ("segno", with_segno))
    for name, encode in libraries:
        encode(datas[:20], version)  # warm-up (tables, imports)
        start = time.perf_counter()
        matrices = encode(datas, version)
        seconds = time.perf_counter() - start
        bad = sum(not decodes(m, d) for m, d in zip(matrices[::97], datas[::97]))
        results[name] = (seconds / len(datas) * 1e6, matrices, bad)
    base = results["registry.labels.qr"][0]
    same = all(np.array_equal(a, b) for a, b in zip(results["registry.labels.qr"][1],
                                                     results["qrcode (public API)"][1]))
    print(f"{'library':22} {'µs/code':>10} {'× registry':>11} {'undecodable (sampled)':>22}")
    for name, (micro, _matrices, bad) in results.items():
        print(f"{name:22} {micro:10.1f} {micro / base:11.1f} {bad:22d}")
    print(f"registry.labels.qr matrices identical to qrcode's: {same}")


if __name__ == "__main__":
    main()
