"""QR traceability labels: GS1 Digital Link addresses, serials, QR matrices, sheet layouts.

Everything in this package is pure Python with no Flask import, so it can be tested and
benchmarked without an application.
"""
