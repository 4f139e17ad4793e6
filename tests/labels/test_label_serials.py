"""Serials: 4 characters of sequence number + 8 characters of truncated HMAC."""

from __future__ import annotations

import pytest

from registry.labels.serials import (
    ALPHABET,
    SEQ_LIMIT,
    SERIAL_LENGTH,
    SerialSigner,
    derive_key,
    display,
    next_start,
    normalize_serial,
)

GTIN = "08939999000017"
LOT = "L2024-001"


def test_alphabet_has_32_symbols_without_look_alikes():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("01OI") & set(ALPHABET)


def test_serial_shape(signer):
    serial = signer.make(GTIN, LOT, 12345)
    assert len(serial) == SERIAL_LENGTH == 12
    assert set(serial) <= set(ALPHABET)
    assert signer.verify(GTIN, LOT, serial) == 12345


def test_display_groups_by_four(signer):
    serial = signer.make(GTIN, LOT, 7)
    shown = signer.display(serial)
    assert shown == f"{serial[:4]}-{serial[4:8]}-{serial[8:]}"
    assert display(shown) == shown  # idempotent


def test_make_many_equals_make_and_is_unique_within_a_run(signer):
    run = signer.make_many(GTIN, LOT, 0, 5000)
    assert run[:50] == [signer.make(GTIN, LOT, seq) for seq in range(50)]
    assert len(set(run)) == 5000
    assert list(signer.iter_many(GTIN, LOT, 0, 5000)) == run


def test_runs_with_disjoint_ranges_never_share_a_serial(signer):
    first = signer.make_many(GTIN, LOT, 0, 3000)
    second = signer.make_many(GTIN, LOT, 3000, 3000)
    assert not set(first) & set(second)


def test_serials_of_other_lots_and_items_differ(signer):
    a = signer.make_many(GTIN, LOT, 0, 2000)
    b = signer.make_many(GTIN, "L2024-002", 0, 2000)
    c = signer.make_many("OCOP-ST-0042", LOT, 0, 2000)
    assert not set(a) & set(b) and not set(a) & set(c)


def test_verify_returns_the_sequence_number(signer):
    for seq in (0, 1, 31, 32, 1023, 99999, SEQ_LIMIT - 1):
        assert signer.verify(GTIN, LOT, signer.make(GTIN, LOT, seq)) == seq


def test_verify_tolerates_case_spaces_and_grouping(signer):
    serial = signer.make(GTIN, LOT, 42)
    for variant in (
        serial.lower(),
        display(serial),
        display(serial).lower(),
        f" {serial[:4]} {serial[4:8]} {serial[8:]} ",
        f"{serial[:6]}-{serial[6:]}",
    ):
        assert signer.verify(GTIN, LOT, variant) == 42
    assert normalize_serial("ab cd-ef") == "ABCDEF"


def test_every_single_character_change_is_refused(signer):
    for seq in (0, 777, 123456):
        serial = signer.make(GTIN, LOT, seq)
        for pos in range(SERIAL_LENGTH):
            for ch in ALPHABET:
                if ch == serial[pos]:
                    continue
                forged = serial[:pos] + ch + serial[pos + 1 :]
                assert signer.verify(GTIN, LOT, forged) is None, (pos, ch)


def test_wrong_lot_item_or_key_is_refused(signer):
    serial = signer.make(GTIN, LOT, 5)
    assert signer.verify(GTIN, "L2024-002", serial) is None
    assert signer.verify("08939999000024", LOT, serial) is None
    assert SerialSigner(b"another-secret-key-0123456789abcd").verify(GTIN, LOT, serial) is None


@pytest.mark.parametrize(
    "junk", ["", "ABC", "A" * 13, "O" * 12, "0123456789AB", "ĐĐĐĐĐĐĐĐĐĐĐĐ", None]
)
def test_malformed_serials_are_refused(signer, junk):
    assert signer.verify(GTIN, LOT, junk) is None


def test_missing_item_or_lot(signer):
    serial = signer.make(GTIN, LOT, 1)
    assert signer.verify("", LOT, serial) is None
    with pytest.raises(ValueError):
        signer.make(GTIN, "", 1)


def test_sequence_range(signer):
    signer.make(GTIN, LOT, SEQ_LIMIT - 1)
    for bad in (-1, SEQ_LIMIT):
        with pytest.raises(ValueError):
            signer.make(GTIN, LOT, bad)
    with pytest.raises(ValueError):
        signer.make_many(GTIN, LOT, SEQ_LIMIT - 10, 11)
    assert signer.make_many(GTIN, LOT, 5, 0) == []


def test_keys():
    with pytest.raises(ValueError):
        SerialSigner(b"short")
    with pytest.raises(ValueError):
        SerialSigner("a string key that is long enough")  # type: ignore[arg-type]
    key = derive_key("app secret key, long enough")
    assert len(key) == 32 and key == derive_key(b"app secret key, long enough")
    assert key != derive_key("app secret key, long enough", purpose="other")
    with pytest.raises(ValueError):
        derive_key("short")


def test_next_start_allocates_after_existing_runs():
    assert next_start([], 100) == 0
    assert next_start([(0, 100), (100, 50)], 10) == 150
    with pytest.raises(ValueError):
        next_start([(0, SEQ_LIMIT - 5)], 10)
    with pytest.raises(ValueError):
        next_start([], 0)
