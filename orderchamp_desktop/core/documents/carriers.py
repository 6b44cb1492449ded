"""Which carrier a tracking number belongs to, from its format alone, and its public tracking page.

Formats and check digits, with where they come from:

- PostNL: ``3S`` + customer code (letters) + serial digits (the Orderchamp docs show
  ``3SBOL12345678``); no public check digit. PostNL's international items are UPU S10 codes
  ending in ``NL``.
- DHL Express: a 10-digit waybill whose last digit is the first nine read as a number mod 7.
  DHL Parcel / eCommerce piece numbers: ``JJD`` + digits, ``JVGL`` + digits, ``JD`` + 18 digits,
  and 20-digit GS1 SSCC labels (``00`` + 18 digits, GS1 mod-10 check digit; ``00340434`` is
  DHL Paket's own GS1 prefix).
- DPD: the 14-digit parcel number (no check digit of its own), and the 28-character label
  barcode (7-digit zip, 14-digit parcel number, service, country, ISO 7064 Mod 37,36 check
  character) from which the parcel number is taken.
- GLS: 11-digit parcel numbers and 12-digit ones ending in GLS's check digit (weights 3,1 from
  the left, plus one, complement to 10: GLS Uni-Box technical documentation, section 3.2.1);
  8-character alphanumeric TrackIDs are recognised with low confidence only.
- UPS: ``1Z`` + 6 shipper characters + 2 service + 7 package + check digit (letters map to
  digits as (ord - 63) mod 10; odd positions weigh 1, even ones 2; complement to 10).
- bpost (its own FAQ lists them): 24 digits starting 3232 or 3299, 18 digits starting 3232,
  27 characters starting JJBEA, 30 digits starting 010 (registered mail), and S10 codes
  ending in BE (CD..., CE..., EE...).
- Colissimo (La Poste): 13 characters, a digit and a letter (6A, 8R, 6C, 8L...) then 11 digits;
  international items are S10 codes ending in FR.
- UPU S10 (any national post): two letters, 8 digits, a check digit with weights
  8,6,4,2,3,5,9,7 (11 minus the sum mod 11; 10 becomes 0, 11 becomes 5) and an ISO 3166
  country code, which names the postal operator.

A number that clearly follows a scheme with a check digit (``1Z...``, an S10 code) but whose
check digit is wrong is refused with a sentence about a likely typo: better to catch a
mistyped number here than to send the retailer a link that finds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from urllib.parse import quote, urlencode

__all__ = [
    "CarrierMatch",
    "Confidence",
    "Detection",
    "detect_carrier",
    "normalise_tracking_number",
    "s10_check_digit",
    "tracking_url_for",
    "ups_check_digit",
]

#: Longest tracking number we look at; anything longer is not a tracking number.
MAX_LENGTH = 40


class Confidence(IntEnum):
    """How sure the detection is. Compared as numbers: higher is surer."""

    LOW = 1  # a common shape many schemes share (8 alphanumerics, 11 digits)
    MEDIUM = 2  # a shape unique to the carrier, or a weak check digit (mod 7)
    HIGH = 3  # a distinctive prefix or a strong check digit that matched


@dataclass(frozen=True)
class CarrierMatch:
    """One carrier a tracking number may belong to."""

    carrier: str  # display name, also what is sent as ShipmentShippedInput.carrier
    service: str  # which of the carrier's formats matched, for the tooltip
    confidence: Confidence
    tracking_number: str  # normalised (upper case, no spaces); DPD barcodes: the parcel number
    tracking_url: str | None
    check_digit_verified: bool = False


@dataclass(frozen=True)
class Detection:
    """Every candidate for a number, best first, and a problem sentence if it looks mistyped."""

    number: str
    matches: tuple[CarrierMatch, ...] = ()
    problem: str | None = None

    @property
    def best(self) -> CarrierMatch | None:
        return self.matches[0] if self.matches else None

    @property
    def is_ambiguous(self) -> bool:
        """True when two different carriers are equally likely."""
        return (len(self.matches) > 1 and self.matches[0].confidence == self.matches[1].confidence
                and self.matches[0].carrier != self.matches[1].carrier)


class _Refused(Exception):
    """A rule recognised the scheme but its check digit is wrong."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


# ---------------------------------------------------------------- check digits

def gs1_check_digit(body: str) -> int:
    """GS1 mod-10 check digit (GTIN, SSCC): weights 3,1 from the right of the body."""
    total = sum(int(ch) * (3 if i % 2 == 0 else 1) for i, ch in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def ups_check_digit(body: str) -> int:
    """UPS check digit over the 15 characters after ``1Z`` (letters: (ord - 63) mod 10)."""
    total = 0
    for position, ch in enumerate(body, start=1):
        value = int(ch) if ch.isdigit() else (ord(ch) - 63) % 10
        total += value * (2 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit over the 8-digit serial number."""
    remainder = sum(int(ch) * w for ch, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    check = 11 - remainder
    if check == 10:
        return 0
    if check == 11:
        return 5
    return check


def gls_check_digit(body: str) -> int:
    """GLS parcel number check digit over the 11-digit body (weights 3,1 from the left, +1)."""
    total = sum(int(ch) * (3 if i % 2 == 0 else 1) for i, ch in enumerate(body)) + 1
    return (10 - total % 10) % 10


_MOD37_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"


def iso7064_mod37_36_check(body: str) -> str:
    """ISO 7064 Mod 37,36 (hybrid) check character, as used on DPD label barcodes."""
    modulus = 36
    product = modulus
    for ch in body:
        total = (product + _MOD37_ALPHABET.index(ch)) % modulus or modulus
        product = (total * 2) % (modulus + 1)
    return _MOD37_ALPHABET[(modulus + 1 - product) % modulus]


# ---------------------------------------------------------------- tracking pages

_ISO_TEXT = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
_ISO_COUNTRIES = frozenset(re.findall(r"[A-Z]{2}", _ISO_TEXT))

#: Postal operators of the countries Orderchamp brands ship from and to most.
_POSTS = {
    "NL": "PostNL", "BE": "bpost", "FR": "La Poste", "DE": "Deutsche Post", "GB": "Royal Mail",
    "AT": "Österreichische Post", "CH": "Swiss Post", "IT": "Poste Italiane", "ES": "Correos",
    "PT": "CTT", "LU": "POST Luxembourg", "IE": "An Post", "DK": "PostNord", "SE": "PostNord",
    "NO": "Posten Norge", "FI": "Posti", "PL": "Poczta Polska", "US": "USPS", "CN": "China Post",
}


def _q(number: str) -> str:
    return quote(number, safe="")


def _postnl_url(number: str, postal_code: str | None, country: str | None) -> str:
    params = {"B": number}
    if postal_code:
        params["P"] = re.sub(r"\s+", "", postal_code).upper()
    params["D"] = (country or "NL").upper()
    params["T"] = "C"
    return "https://postnl.nl/tracktrace/?" + urlencode(params)


_URLS: dict[str, Callable[[str], str]] = {
    "DHL": lambda n: "https://www.dhl.com/global-en/home/tracking.html?" + urlencode(
        {"tracking-id": n, "submit": "1"}),
    "DPD": lambda n: f"https://tracking.dpd.de/status/en_US/parcel/{_q(n)}",
    "GLS": lambda n: "https://gls-group.com/EU/en/parcel-tracking?" + urlencode({"match": n}),
    "UPS": lambda n: "https://www.ups.com/track?" + urlencode({"loc": "en_US", "tracknum": n}),
    "bpost": lambda n: "https://track.bpost.cloud/btr/web/#/search?" + urlencode(
        {"itemCode": n, "lang": "en"}),
    "Colissimo": lambda n: "https://www.laposte.fr/outils/suivre-vos-envois?" + urlencode({"code": n}),
    "La Poste": lambda n: "https://www.laposte.fr/outils/suivre-vos-envois?" + urlencode({"code": n}),
    "Deutsche Post": lambda n: "https://www.deutschepost.de/de/s/sendungsverfolgung.html?" + urlencode(
        {"piececode": n}),
    "Royal Mail": lambda n: f"https://www.royalmail.com/track-your-item#/tracking-results/{_q(n)}",
    "Österreichische Post": lambda n: "https://www.post.at/s/sendungssuche?" + urlencode({"snr": n}),
    "Swiss Post": lambda n: f"https://service.post.ch/ekp-web/ui/entry/search/{_q(n)}",
    "USPS": lambda n: "https://tools.usps.com/go/TrackConfirmAction?" + urlencode({"tLabels": n}),
    "PostNord": lambda n: "https://www.postnord.com/track-and-trace?" + urlencode({"shipmentId": n}),
}


def tracking_url_for(carrier: str, number: str, *, postal_code: str | None = None,
                     country: str | None = None) -> str | None:
    """The carrier's public tracking page for ``number`` (https, number url-encoded), or None.

    ``postal_code`` and ``country`` are the destination's; PostNL needs the postal code to show
    more than the bare status.
    """
    if carrier == "PostNL":
        return _postnl_url(number, postal_code, country)
    build = _URLS.get(carrier)
    return build(number) if build else None


# ---------------------------------------------------------------- rules

@dataclass(frozen=True)
class _Hit:
    carrier: str
    service: str
    confidence: Confidence
    number: str
    verified: bool = False


_Rule = Callable[[str], Iterable[_Hit]]


def _postnl(n: str) -> Iterable[_Hit]:
    if re.fullmatch(r"3S[A-Z]{2,5}\d{5,11}", n):
        yield _Hit("PostNL", "PostNL parcel (3S)", Confidence.HIGH, n)


def _dhl(n: str) -> Iterable[_Hit]:
    if re.fullmatch(r"\d{10}", n) and int(n[:9]) % 7 == int(n[9]):
        yield _Hit("DHL", "DHL Express waybill", Confidence.MEDIUM, n, verified=True)
    if re.fullmatch(r"(JJD|JVGL)\d{9,24}", n):
        yield _Hit("DHL", "DHL Parcel / eCommerce piece number", Confidence.HIGH, n)
    elif re.fullmatch(r"JD\d{18}", n):
        yield _Hit("DHL", "DHL Express piece number", Confidence.HIGH, n)
    if re.fullmatch(r"00\d{18}", n):
        if gs1_check_digit(n[2:19]) != int(n[19]):
            return
        confidence = Confidence.HIGH if n.startswith("00340434") else Confidence.MEDIUM
        yield _Hit("DHL", "DHL Parcel (SSCC)", confidence, n, verified=True)


def _dpd(n: str) -> Iterable[_Hit]:
    if re.fullmatch(r"\d{14}", n):
        yield _Hit("DPD", "DPD parcel number", Confidence.MEDIUM, n)
    raw = n[1:] if n.startswith("%") else n
    if re.fullmatch(r"\d{27}[0-9A-Z]", raw):
        if iso7064_mod37_36_check(raw[:27]) != raw[27]:
            raise _Refused("This looks like a DPD label barcode, but its check character does not "
                           "match. Scan it again or type the 14-digit parcel number.")
        yield _Hit("DPD", "DPD label barcode", Confidence.HIGH, raw[7:21], verified=True)


def _gls(n: str) -> Iterable[_Hit]:
    if re.fullmatch(r"\d{11}", n):
        yield _Hit("GLS", "GLS parcel number", Confidence.LOW, n)
    elif re.fullmatch(r"\d{12}", n) and gls_check_digit(n[:11]) == int(n[11]):
        yield _Hit("GLS", "GLS parcel number", Confidence.MEDIUM, n, verified=True)
    elif re.fullmatch(r"[A-Z0-9]{8}", n) and re.search(r"[A-Z]", n) and re.search(r"\d", n):
        yield _Hit("GLS", "GLS TrackID", Confidence.LOW, n)


def _ups(n: str) -> Iterable[_Hit]:
    if not re.fullmatch(r"1Z[A-Z0-9]{16}", n):
        return
    if not n[17].isdigit() or ups_check_digit(n[2:17]) != int(n[17]):
        raise _Refused("This looks like a UPS number, but its check digit does not match. "
                       "Check it for a typo.")
    yield _Hit("UPS", "UPS 1Z", Confidence.HIGH, n, verified=True)


def _bpost(n: str) -> Iterable[_Hit]:
    if re.fullmatch(r"32(32|99)\d{20}", n):
        yield _Hit("bpost", "bpost parcel (24 digits)", Confidence.HIGH, n)
    elif re.fullmatch(r"3232\d{14}", n):
        yield _Hit("bpost", "bpost parcel (18 digits)", Confidence.HIGH, n)
    elif re.fullmatch(r"JJBEA\d{22}", n):
        yield _Hit("bpost", "bpost parcel (JJBEA)", Confidence.HIGH, n)
    elif re.fullmatch(r"010\d{27}", n):
        yield _Hit("bpost", "bpost registered mail", Confidence.MEDIUM, n)


def _colissimo(n: str) -> Iterable[_Hit]:
    if re.fullmatch(r"\d[A-Z]\d{11}", n):
        yield _Hit("Colissimo", "Colissimo parcel", Confidence.MEDIUM, n)


def _s10(n: str) -> Iterable[_Hit]:
    match = re.fullmatch(r"([A-Z]{2})(\d{8})(\d)([A-Z]{2})", n)
    if not match:
        return
    service, serial, check, country = match.groups()
    if country not in _ISO_COUNTRIES:
        return
    if s10_check_digit(serial) != int(check):
        raise _Refused("This looks like an international postal number (UPU S10), but its check "
                       "digit does not match. Check it for a typo.")
    post = _POSTS.get(country, f"Postal service ({country})")
    if country == "FR" and service.startswith("C"):
        post = "Colissimo"
    yield _Hit(post, f"UPU S10 postal item from {country}", Confidence.HIGH, n, verified=True)


_RULES: tuple[_Rule, ...] = (_ups, _s10, _postnl, _dhl, _bpost, _dpd, _colissimo, _gls)


def normalise_tracking_number(raw: str) -> str:
    """Upper case without spaces, hyphens or dots, the way carriers print groups of digits."""
    return re.sub(r"[\s\-.]", "", raw or "").upper()


def detect_carrier(raw: str, *, postal_code: str | None = None,
                   country: str | None = None) -> Detection:
    """All carriers ``raw`` may belong to, best first; ``problem`` says why none if it looks mistyped.

    ``postal_code`` and ``country`` are the destination's, used for tracking links (PostNL).
    Never raises on user input.
    """
    number = normalise_tracking_number(raw)
    if not number or len(number) > MAX_LENGTH or not re.fullmatch(r"%?[A-Z0-9]+", number):
        return Detection(number=number)
    hits: list[_Hit] = []
    problem: str | None = None
    for rule in _RULES:
        try:
            hits.extend(rule(number))
        except _Refused as refused:
            problem = problem or refused.sentence
    if hits:
        problem = None  # a valid reading elsewhere wins over a near miss
    ordered = sorted(enumerate(hits), key=lambda item: (-item[1].confidence, item[0]))
    matches = tuple(
        CarrierMatch(carrier=h.carrier, service=h.service, confidence=h.confidence,
                     tracking_number=h.number, check_digit_verified=h.verified,
                     tracking_url=tracking_url_for(h.carrier, h.number, postal_code=postal_code,
                                                   country=country))
        for _, h in ordered)
    return Detection(number=number, matches=matches, problem=problem)
