"""A modest speed check (the full figures come from benchmarks/labels_bench.py).

The acceptance target is 10x faster than the tutorial way (qrcode.make + a PNG per
label); this test only asks for 5x so that a busy CI machine does not make it flaky.
"""

from __future__ import annotations

import io
import time

import qrcode

from registry.labels.pdf import write_label_pdf

from .support import sample_labels


class Discard:
    def write(self, data: bytes) -> int:
        return len(data)


def test_pdf_labels_are_much_faster_than_one_png_per_label():
    labels = sample_labels(2400)
    start = time.perf_counter()
    for label in labels[:150]:
        qrcode.make(label.url).save(io.BytesIO(), format="PNG")
    naive = (time.perf_counter() - start) / 150

    write_label_pdf(Discard(), labels[:48], "a4-3x8")  # warm caches (fonts, tables)
    start = time.perf_counter()
    write_label_pdf(Discard(), labels, "a4-3x8")
    ours = (time.perf_counter() - start) / len(labels)
    assert naive / ours > 5, f"naive {naive * 1000:.2f} ms/label, ours {ours * 1000:.3f} ms/label"
