"""Unforgeable label serials.

A serial is 12 characters from a 32-symbol alphabet without look-alikes (no 0/O, 1/I):

    SSSS MMMMMMMM
    |    `-- 40-bit truncated HMAC-SHA256(key, "{item_key}|{lot}|{seq}")
    `------- seq: the label's number within its batch, 0 .. 2**20-1

``item_key`` is the GTIN-14 or, for products without a GTIN, the registry product code.

Because the serial carries its own sequence number and a MAC, checking a scanned serial
needs no row per label: the registry stores one row per label run (batch, start_seq,
count), recomputes the MAC and checks that the seq falls in a printed run. A forger who
has seen any number of genuine serials still has to guess 40 secret-derived bits
(one chance in about 10**12 per try).

Serials are shown to people as groups of four (``ABCD-EFGH-JKMN``); :meth:`SerialSigner.verify`
accepts that form, lower case and spaces.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BITS_PER_CHAR = 5
SEQ_CHARS = 4
MAC_CHARS = 8
SERIAL_LENGTH = SEQ_CHARS + MAC_CHARS
SEQ_LIMIT = 1 << (SEQ_CHARS * BITS_PER_CHAR)  # 1,048,576 labels per batch
MAC_BYTES = MAC_CHARS * BITS_PER_CHAR // 8  # 5 bytes = 40 bits
MIN_KEY_BYTES = 16

_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}


def _to_base32(value: int, length: int) -> str:
    """``value`` as ``length`` alphabet characters, most significant first."""
    chars = []
    for _ in range(length):
        chars.append(ALPHABET[value & 31])
        value >>= BITS_PER_CHAR
    return "".join(reversed(chars))


def _from_base32(text: str) -> int:
    value = 0
    for ch in text:
        value = (value << BITS_PER_CHAR) | _VALUES[ch]
    return value


def normalize_serial(text: str) -> str:
    """Upper-case ``text`` and drop the '-' and spaces people use to group it."""
    return "".join(text.split()).replace("-", "").upper()


def display(serial: str) -> str:
    """Human-readable grouping: ``ABCD2345EFGH`` -> ``ABCD-2345-EFGH``."""
    s = normalize_serial(serial)
    return "-".join(s[i : i + 4] for i in range(0, len(s), 4))


def derive_key(secret: str | bytes, purpose: str = "ocop-label-serials-v1") -> bytes:
    """A 32-byte serial key derived from an application secret.

    Keeps the serial key separate from other uses of the same secret (sessions, CSRF);
    changing ``purpose`` gives an unrelated key.
    """
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    if len(secret) < MIN_KEY_BYTES:
        raise ValueError(f"the secret must have at least {MIN_KEY_BYTES} bytes")
    return hmac.new(secret, purpose.encode("utf-8"), hashlib.sha256).digest()


class SerialSigner:
    """Makes and checks serials with one secret key.

    >>> signer = SerialSigner(b"0123456789abcdef0123456789abcdef")
    >>> s = signer.make("08939999000017", "L2024-001", 7)
    >>> signer.verify("08939999000017", "L2024-001", display(s).lower())
    7
    """

    def __init__(self, key: bytes):
        if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the serial key must be bytes, at least {MIN_KEY_BYTES} long")
        # A keyed HMAC object: copying it skips re-hashing the padded key for every
        # serial, which is most of the cost for short messages.
        self._base = hmac.new(key, digestmod=hashlib.sha256)

    def _mac(self, prefix: bytes, seq: int) -> str:
        h = self._base.copy()
        h.update(prefix + str(seq).encode("ascii"))
        return _to_base32(int.from_bytes(h.digest()[:MAC_BYTES], "big"), MAC_CHARS)

    @staticmethod
    def _prefix(item_key: str, lot: str) -> bytes:
        if not item_key or not lot:
            raise ValueError("item key and lot are required")
        return f"{item_key}|{lot}|".encode("utf-8")

    @staticmethod
    def _check_seq(seq: int) -> None:
        if not 0 <= seq < SEQ_LIMIT:
            raise ValueError(f"sequence number must be in 0..{SEQ_LIMIT - 1}")

    def make(self, item_key: str, lot: str, seq: int) -> str:
        """The serial of label number ``seq`` of ``lot`` of ``item_key``."""
        self._check_seq(seq)
        return _to_base32(seq, SEQ_CHARS) + self._mac(self._prefix(item_key, lot), seq)

    def make_many(self, item_key: str, lot: str, start: int, count: int) -> list[str]:
        """Serials for seq ``start`` .. ``start + count - 1`` (one label run)."""
        if count < 0:
            raise ValueError("count must not be negative")
        if count:
            self._check_seq(start)
            self._check_seq(start + count - 1)
        prefix = self._prefix(item_key, lot)
        return [
            _to_base32(seq, SEQ_CHARS) + self._mac(prefix, seq)
            for seq in range(start, start + count)
        ]

    def iter_many(self, item_key: str, lot: str, start: int, count: int) -> Iterable[str]:
        """Like :meth:`make_many` but lazy, for runs streamed straight into a PDF."""
        for first in range(start, start + count, 1024):
            yield from self.make_many(item_key, lot, first, min(1024, start + count - first))

    def verify(self, item_key: str, lot: str, serial: str) -> int | None:
        """The seq of a genuine serial, or None for anything else.

        Tolerates lower case, spaces and the '-' grouping. The MAC comparison is
        constant-time so response timing does not leak how many characters matched.
        Checking that the seq belongs to a printed run is the caller's job.
        """
        s = normalize_serial(serial or "")
        if len(s) != SERIAL_LENGTH or any(ch not in _VALUES for ch in s):
            return None
        try:
            prefix = self._prefix(item_key, lot)
        except ValueError:
            return None
        seq = _from_base32(s[:SEQ_CHARS])
        expected = self._mac(prefix, seq)
        if hmac.compare_digest(expected, s[SEQ_CHARS:]):
            return seq
        return None

    @staticmethod
    def display(serial: str) -> str:
        """groups of four (``ABCD-EFGH-JKMN``) form of a serial (see :func:`display`)."""
        return display(serial)


def next_start(runs: Iterable[tuple[int, int]], count: int) -> int:
    """First seq for a new run of ``count`` labels after existing ``(start, count)`` runs.

    Runs never overlap, so every printed serial of a batch is distinct. Raises
    ValueError when the batch has no room left (more than 2**20 labels).
    """
    if count <= 0:
        raise ValueError("count must be positive")
    start = max((s + n for s, n in runs), default=0)
    if start + count > SEQ_LIMIT:
        raise ValueError(f"a batch holds at most {SEQ_LIMIT} serialized labels")
    return start
