"""Label runs: ordering serial ranges for a batch and printing them (CLI and web).

The pure label engine (addresses, serials, QR, sheet geometry, PDF) lives in
``registry.labels``; this package connects it to batches, permissions and audit.
"""
