"""GS1 Digital Link label addresses: building, parsing, and an outside check (biip)."""

from __future__ import annotations

import random
import string
from datetime import date

import pytest
from biip import parse as biip_parse

from registry.labels.links import (
    CSET82,
    LabelAddressError,
    LabelKey,
    label_url,
    label_url_factory,
    parse_label_path,
)

BASE = "https://ocop.example.vn"
GTIN = "08939999000017"


def test_gtin_address_has_the_gs1_shape():
    url = label_url(
        BASE,
        gtin14=GTIN,
        product_code=None,
        lot="L2024-001",
        serial="ABCD2345EFGH",
        expiry=date(2026, 12, 31),
    )
    assert url == "https://ocop.example.vn/01/08939999000017/10/L2024-001/21/ABCD2345EFGH?17=261231"


def test_no_expiry_means_no_query_and_base_slash_is_ignored():
    url = label_url(BASE + "/", gtin14=GTIN, product_code=None, lot="L1", serial="S1", expiry=None)
    assert url == "https://ocop.example.vn/01/08939999000017/10/L1/21/S1"


def test_short_gtins_are_padded_to_14_digits():
    url = label_url(BASE, gtin14="8939999000017", product_code=None, lot="L1", serial="S1")
    assert "/01/08939999000017/" in url


def test_products_without_gtin_get_a_registry_address():
    url = label_url(
        BASE,
        gtin14=None,
        product_code="OCOP-ST-0042",
        lot="L1",
        serial="S1",
        expiry=date(2027, 1, 5),
    )
    assert url == "https://ocop.example.vn/p/OCOP-ST-0042/10/L1/21/S1?17=270105"


def test_reserved_characters_in_the_lot_are_percent_encoded_and_parsed_back():
    lot = "L/1?%&+=A"
    url = label_url(BASE, gtin14=GTIN, product_code=None, lot=lot, serial="S1")
    path = url[len(BASE) :]
    assert path.count("/") == 6  # the '/' in the lot did not add a path segment
    assert "?" not in path
    assert parse_label_path(path).lot == lot


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(gtin14=GTIN, product_code="X1"), "either"),
        (dict(gtin14=None, product_code=None), "either"),
        (dict(gtin14="08939999000018", product_code=None), "check digit"),
        (dict(gtin14=GTIN, product_code=None, lot="Lô 1"), "characters"),
        (dict(gtin14=GTIN, product_code=None, lot="L" * 21), "longer"),
        (dict(gtin14=GTIN, product_code=None, lot=""), "empty"),
        (dict(gtin14=None, product_code="bad code/1"), "product code"),
    ],
)
def test_invalid_address_parts_are_refused(kwargs, message):
    args = dict(lot="L1", serial="S1") | kwargs
    with pytest.raises(LabelAddressError, match=message):
        label_url(BASE, **args)


def test_label_address_error_is_a_value_error():
    assert issubclass(LabelAddressError, ValueError)


def test_factory_gives_the_same_addresses():
    url_for = label_url_factory(
        BASE, gtin14=GTIN, product_code=None, lot="L/2", expiry=date(2026, 1, 2)
    )
    for serial in ("ABCD2345EFGH", "2222XYZWVUTS", "a&b"):
        assert url_for(serial) == label_url(
            BASE, gtin14=GTIN, product_code=None, lot="L/2", serial=serial, expiry=date(2026, 1, 2)
        )
    with pytest.raises(LabelAddressError):
        url_for("")


@pytest.mark.parametrize(
    "path, key",
    [
        ("/01/08939999000017/10/L1/21/S1", LabelKey(GTIN, None, "L1", "S1")),
        ("/01/08939999000017/10/L1/21/S1/", LabelKey(GTIN, None, "L1", "S1")),
        ("/01/08939999000017/10/L1", LabelKey(GTIN, None, "L1", None)),
        ("/01/08939999000017/10/L1/", LabelKey(GTIN, None, "L1", None)),
        ("/01/08939999000017", LabelKey(GTIN, None, None, None)),
        ("/01/08939999000017/21/S1", LabelKey(GTIN, None, None, "S1")),
        ("/01/8939999000017/10/L1", LabelKey(GTIN, None, "L1", None)),  # GTIN-13 accepted
        ("/p/OCOP-1/10/L1/21/S1", LabelKey(None, "OCOP-1", "L1", "S1")),
        ("/p/OCOP-1/10/L%2F1/21/S1?17=261231", LabelKey(None, "OCOP-1", "L/1", "S1")),
        (
            "https://ocop.example.vn/01/08939999000017/10/L1/21/S1?17=261231",
            LabelKey(GTIN, None, "L1", "S1"),
        ),
    ],
)
def test_parse_label_path(path, key):
    assert parse_label_path(path) == key


def test_item_key_is_the_gtin_or_the_product_code():
    assert parse_label_path("/01/08939999000017").item_key == GTIN
    assert parse_label_path("/p/OCOP-1/10/L1").item_key == "OCOP-1"


@pytest.mark.parametrize(
    "path",
    [
        "/01/08939999000018/10/L1/21/S1",  # check digit
        "/01/0893999900001/10/L1",  # 13 digits but wrong check digit
        "/01/089399990000171/10/L1",  # 15 digits
        "/01/0893999900001A",  # not digits
        "/01/08939999000017/21/S1/10/L1",  # wrong order
        "/01/08939999000017/10/L1/10/L2",  # repeated
        "/01/08939999000017/22/V1/10/L1",  # AI 22 is not used by the registry
        "/01/08939999000017/99/X",  # unknown AI
        "/01/08939999000017/10",  # key without value
        "/01/08939999000017/10/L1/21",
        "/01/08939999000017/10//21/S1",  # empty lot
        "/02/08939999000017/10/L1",  # unknown primary key
        "/p/bad%20code/10/L1",
        "/",
        "",
    ],
)
def test_malformed_paths_are_refused(path):
    with pytest.raises(LabelAddressError):
        parse_label_path(path)


def test_biip_reads_produced_addresses_as_gs1_digital_link():
    rng = random.Random(3)
    lot_chars = sorted(CSET82)
    for _ in range(200):
        lot = "".join(rng.choice(lot_chars) for _ in range(rng.randint(1, 20)))
        serial = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(12))
        expiry = date(2026, rng.randint(1, 12), rng.randint(1, 28))
        url = label_url(BASE, gtin14=GTIN, product_code=None, lot=lot, serial=serial, expiry=expiry)
        result = biip_parse(url)
        assert result.gs1_digital_link_uri_error is None, url
        elements = {e.ai.ai: e for e in result.gs1_digital_link_uri.element_strings}
        assert elements["01"].value == GTIN and elements["01"].gtin_error is None
        assert result.gtin is not None and result.gtin_error is None
        assert elements["10"].value == lot
        assert elements["21"].value == serial
        assert elements["17"].date == expiry
        assert parse_label_path(url) == LabelKey(GTIN, None, lot, serial)


def test_biip_flags_a_bad_check_digit_that_we_refuse_to_print():
    bad = "https://ocop.example.vn/01/08939999000018/10/L1/21/S1"
    assert biip_parse(bad).gtin_error
    with pytest.raises(LabelAddressError):
        parse_label_path(bad)
