import pytest

from registry.labels.gs1 import gtin_check_digit, is_valid_gtin, normalize_gtin


def test_check_digit_from_the_traceability_brief():
    # 893000000001? : weights 3,1,3,... from the rightmost data digit:
    # 1*3 + 3*1 + 9*3 + 8*1 = 41 → (10 - 1) mod 10 = 9.
    assert gtin_check_digit("893000000001") == 9
    assert is_valid_gtin("8930000000019")


def test_check_digits_agree_with_an_independent_implementation():
    import random

    from biip.gtin import Gtin

    rng = random.Random(7)
    for _ in range(200):
        body = "893" + "".join(rng.choice("0123456789") for _ in range(9))
        gtin = body + str(gtin_check_digit(body))
        assert Gtin.parse(gtin).value == gtin


@pytest.mark.parametrize("gtin", ["8939999000017", "8939999000086", "96385074", "036000291452",
                                  "10614141000415"])
def test_valid_gtins(gtin):
    assert is_valid_gtin(gtin)
    assert normalize_gtin(gtin) == gtin.zfill(14)


@pytest.mark.parametrize("gtin, reason", [
    ("8939999000018", "check digit"),
    ("89399990001", "8, 12, 13 or 14"),
    ("89399990000A7", "digits"),
    ("８９３９９９９０００１７", "digits"),  # full-width digits are not GTIN digits
])
def test_invalid_gtins_say_why(gtin, reason):
    assert not is_valid_gtin(gtin)
    with pytest.raises(ValueError, match=reason):
        normalize_gtin(gtin)
