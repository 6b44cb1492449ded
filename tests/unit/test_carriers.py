"""Carrier detection from tracking-number formats, with check digits validated."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from orderchamp_desktop.core.documents.carriers import (
    Confidence,
    detect_carrier,
    gls_check_digit,
    gs1_check_digit,
    iso7064_mod37_36_check,
    normalise_tracking_number,
    s10_check_digit,
    tracking_url_for,
    ups_check_digit,
)

# Real-world formats; every number with a check digit here passes its check.
VALID = [
    # PostNL: the Orderchamp docs' own example, and a 4-letter customer code.
    ("3SBOL12345678", "PostNL", Confidence.HIGH),
    ("3SABCD123456789", "PostNL", Confidence.HIGH),
    # PostNL international: an S10 code from NL.
    ("RR473124829NL", "PostNL", Confidence.HIGH),
    # DHL Express waybills (mod 7): 331881002 % 7 == 5.
    ("3318810025", "DHL", Confidence.MEDIUM),
    ("8487135506", "DHL", Confidence.MEDIUM),
    ("1099255990", "DHL", Confidence.MEDIUM),
    # DHL Parcel / eCommerce piece numbers.
    ("JJD000390007848432015", "DHL", Confidence.HIGH),
    ("JVGL06290163000823900", "DHL", Confidence.HIGH),
    ("JD014600003633346411", "DHL", Confidence.HIGH),
    # DHL Paket SSCC: 00 + 340434 (DHL's GS1 prefix) ... + GS1 check digit 2.
    ("00340434161094015902", "DHL", Confidence.HIGH),
    # DPD 14-digit parcel number, and the 28-character label barcode (Mod 37,36 check 'C').
    ("09980000020033", "DPD", Confidence.MEDIUM),
    ("008182709980000020033350276C", "DPD", Confidence.HIGH),
    ("%0081827099800000200453272 76N", "DPD", Confidence.HIGH),
    # GLS: 11 digits, 12 digits with GLS's check digit (1 for 12345678901), 8-char TrackID.
    ("12345678901", "GLS", Confidence.LOW),
    ("123456789011", "GLS", Confidence.MEDIUM),
    ("ZV5QJ4SE", "GLS", Confidence.LOW),
    # UPS 1Z with its check digit.
    ("1Z5R89390357567127", "UPS", Confidence.HIGH),
    ("1Z879E930346834440", "UPS", Confidence.HIGH),
    ("1Z410E7W0392751591", "UPS", Confidence.HIGH),
    ("1Z8V92A70367203024", "UPS", Confidence.HIGH),
    # bpost formats from bpost's own FAQ.
    ("329998745632147852365873", "bpost", Confidence.HIGH),
    ("323299999999999999999999", "bpost", Confidence.HIGH),
    ("323256984521032569", "bpost", Confidence.HIGH),
    ("JJBEA2356412012365478896541", "bpost", Confidence.HIGH),
    ("010541288500452621221234567890", "bpost", Confidence.MEDIUM),
    ("CD473124829BE", "bpost", Confidence.HIGH),
    # Colissimo domestic and international (S10 from FR, parcel service C*).
    ("6A12345678901", "Colissimo", Confidence.MEDIUM),
    ("8R41026543210", "Colissimo", Confidence.MEDIUM),
    ("CA473124829FR", "Colissimo", Confidence.HIGH),
    # UPU S10: Wikipedia's example serial 47312482 has check digit 9.
    ("RB123456785GB", "Royal Mail", Confidence.HIGH),
    ("LX473124829DE", "Deutsche Post", Confidence.HIGH),
    ("EE473124829JP", "Postal service (JP)", Confidence.HIGH),
]


@pytest.mark.parametrize(("number", "carrier", "confidence"), VALID)
def test_real_world_formats_are_detected(number: str, carrier: str, confidence: Confidence) -> None:
    detection = detect_carrier(number)
    assert detection.problem is None
    best = detection.best
    assert best is not None, number
    assert best.carrier == carrier
    assert best.confidence == confidence
    assert best.tracking_url is None or best.tracking_url.startswith("https://")


def test_detection_is_tolerant_of_spaces_case_and_hyphens() -> None:
    assert normalise_tracking_number(" 1z 5r8 939-0357.567127 ") == "1Z5R89390357567127"
    best = detect_carrier(" 1z 5r8 939 0357 567127 ").best
    assert best is not None and best.carrier == "UPS"
    assert best.tracking_number == "1Z5R89390357567127"


# ---------------------------------------------------------------- check digits

def test_s10_check_digit_follows_the_upu_weights() -> None:
    assert s10_check_digit("47312482") == 9  # Wikipedia's worked example
    assert s10_check_digit("12345678") == 5
    # Sum mod 11 == 1 gives 11 - 1 = 10, written as 0; sum mod 11 == 0 gives 11, written as 5.
    assert s10_check_digit("10000014") == 0
    assert s10_check_digit("10000002") == 5
    assert detect_carrier("RR100000140NL").best is not None
    assert detect_carrier("RR100000025NL").best is not None


def test_other_check_digit_algorithms_match_published_examples() -> None:
    assert ups_check_digit("5R8939035756712") == 7
    assert gs1_check_digit("629104150021") == 3  # EAN-13 6291041500213
    assert gls_check_digit("12345678901") == 1
    assert iso7064_mod37_36_check("008182709980000020033350276") == "C"
    assert iso7064_mod37_36_check("008182709980000020045327276") == "N"


INVALID_CHECK = [
    ("1Z5R89390357567128", "UPS"),
    ("1Z1111111111111111", "UPS"),
    ("RB123456786US", "S10"),
    ("RR473124828NL", "S10"),
    ("CD473124820BE", "S10"),
    ("008182709980000020033350276A", "DPD"),
]


@pytest.mark.parametrize(("number", "scheme"), INVALID_CHECK)
def test_invalid_check_digits_are_refused_with_a_typo_sentence(number: str, scheme: str) -> None:
    detection = detect_carrier(number)
    assert detection.best is None
    assert detection.problem is not None
    assert "typo" in detection.problem or "Scan it again" in detection.problem


@pytest.mark.parametrize("number", [
    "3318810010",  # mod 7 says 5, not 0: not a DHL Express waybill
    "3318810034",
    "123456789012",  # GLS would need check digit 1
    "00340434161094015903",  # SSCC check digit is 2
])
def test_numeric_formats_with_a_wrong_check_digit_are_not_claimed(number: str) -> None:
    detection = detect_carrier(number)
    assert all(m.carrier not in {"DHL", "GLS"} for m in detection.matches)


def test_s10_with_an_unknown_country_is_not_a_postal_number() -> None:
    assert detect_carrier("RB123456785XX").best is None


# ---------------------------------------------------------------- tracking links

def test_postnl_link_carries_the_postal_code_when_known() -> None:
    best = detect_carrier("3SBOL12345678", postal_code="1012 ab", country="NL").best
    assert best is not None and best.tracking_url is not None
    parts = urlsplit(best.tracking_url)
    assert parts.scheme == "https" and parts.netloc == "postnl.nl"
    assert parse_qs(parts.query) == {"B": ["3SBOL12345678"], "P": ["1012AB"], "D": ["NL"], "T": ["C"]}
    without = detect_carrier("3SBOL12345678").best
    assert without is not None and "P=" not in (without.tracking_url or "")


@pytest.mark.parametrize("carrier", ["DHL", "DPD", "GLS", "UPS", "bpost", "Colissimo", "PostNL",
                                     "Royal Mail", "Deutsche Post", "Swiss Post"])
def test_tracking_links_are_https_and_url_encode_the_number(carrier: str) -> None:
    url = tracking_url_for(carrier, "A B/&?#1")
    assert url is not None and url.startswith("https://")
    assert "A B/&?#1" not in url
    assert "A%20B%2F%26%3F%231" in url or "A+B%2F%26%3F%231" in url


def test_unknown_carrier_has_no_link() -> None:
    assert tracking_url_for("Pigeon Express", "123") is None


def test_every_detected_link_contains_the_number() -> None:
    for number, _, _ in VALID:
        best = detect_carrier(number).best
        assert best is not None
        if best.tracking_url:
            assert best.tracking_number in best.tracking_url


# ---------------------------------------------------------------- bad input never crashes

@pytest.mark.parametrize("raw", ["", "   ", "?!", "🚚📦", "٣٣١٨٨١٠٠٢٥", "x" * 5000, "<b>3S</b>",
                                 "3S", "1Z", "DROP TABLE orders;"])
def test_garbage_gives_no_match_and_no_exception(raw: str) -> None:
    detection = detect_carrier(raw)
    assert detection.best is None


def test_ambiguity_is_reported_and_the_surer_reading_wins() -> None:
    # 10 digits passing mod 7 are DHL only; 14 digits are DPD only.
    assert [m.carrier for m in detect_carrier("3318810025").matches] == ["DHL"]
    assert [m.carrier for m in detect_carrier("09980000020033").matches] == ["DPD"]
    assert not detect_carrier("3318810025").is_ambiguous
