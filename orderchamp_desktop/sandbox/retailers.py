"""Seeded European retailers (shops in NL, BE, DE and FR) with realistic names and addresses."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from .model import Address


@dataclass(frozen=True, slots=True)
class Retailer:
    company_name: str
    contact: str
    email: str
    address: Address
    shipping_address: Address
    vat_number: str


CITIES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "NL": (
        ("Amsterdam", "10", ("Haarlemmerdijk", "Utrechtsestraat", "Javastraat", "Ferdinand Bolstraat")),
        ("Utrecht", "35", ("Oudegracht", "Twijnstraat", "Voorstraat")),
        ("Haarlem", "20", ("Gierstraat", "Zijlstraat", "Kleine Houtstraat")),
        ("'s-Hertogenbosch", "52", ("Verwersstraat", "Kerkstraat")),
        ("Groningen", "97", ("Folkingestraat", "Oude Boteringestraat")),
        ("Maastricht", "62", ("Wycker Brugstraat", "Stokstraat")),
        ("Leiden", "23", ("Haarlemmerstraat", "Nieuwe Rijn")),
        ("Deventer", "74", ("Walstraat", "Brink")),
    ),
    "BE": (
        ("Antwerpen", "2000", ("Kammenstraat", "Nationalestraat")),
        ("Gent", "9000", ("Sint-Pietersnieuwstraat", "Serpentstraat")),
        ("Brugge", "8000", ("Langestraat", "Zuidzandstraat")),
        ("Leuven", "3000", ("Mechelsestraat",)),
        ("Liège", "4000", ("Rue de la Cathédrale", "Féronstrée")),
        ("Bruxelles", "1000", ("Rue Antoine Dansaert", "Rue du Marché au Charbon")),
    ),
    "DE": (
        ("Köln", "50667", ("Ehrenstraße", "Brüsseler Straße")),
        ("Düsseldorf", "40213", ("Lorettostraße",)),
        ("München", "80469", ("Müllerstraße", "Gärtnerplatz")),
        ("Münster", "48143", ("Königsstraße",)),
        ("Lübeck", "23552", ("Hüxstraße",)),
        ("Berlin", "10437", ("Schönhauser Allee", "Kastanienallee")),
        ("Hamburg", "20357", ("Schanzenstraße",)),
    ),
    "FR": (
        ("Lille", "59000", ("Rue de la Grande Chaussée", "Rue Esquermoise")),
        ("Paris", "75003", ("Rue de Bretagne", "Rue Vieille du Temple")),
        ("Lyon", "69002", ("Rue Mercière",)),
        ("Strasbourg", "67000", ("Rue des Hallebardes",)),
        ("Nantes", "44000", ("Rue de la Fosse",)),
        ("Bordeaux", "33000", ("Rue Notre-Dame",)),
    ),
}
SHOPS: dict[str, tuple[str, ...]] = {
    "NL": (
        "Cadeauwinkel De Zonnebloem",
        "Het Kleine Geluk",
        "Juffrouw Jansen",
        "Stoer & Lief",
        "Bij Sanne",
        "De Vrolijke Vos",
        "Lekker Thuis",
        "Mooi Zo",
        "Pluk Conceptstore",
        "De Groene Fiets",
        "Boekhandel Van Kampen",
        "Kinderwinkel Pienter",
        "Woonwinkel Zus & Zo",
    ),
    "BE": (
        "'t Winkeltje",
        "Maison Lumière",
        "Boetiek IJsbeer",
        "Het Atelier",
        "La Maison d'Émile",
        "Bazaar Brussel",
        "Kleine Kapoen",
    ),
    "DE": (
        "Kleiner Laden",
        "Geschenkeladen Schöne Dinge",
        "Papeterie Grün",
        "Kinderladen Wunderbär",
        "Wohnzimmer Müller",
        "Buchhandlung Lößl",
        "Süßes & Schönes",
        "Kram & Krempel",
    ),
    "FR": (
        "La Petite Boutique",
        "Atelier Élodie",
        "Côté Maison",
        "Le Comptoir de Léa",
        "Papeterie Hélène",
        "Les Enfants d'Abord",
        "Maison Chérie",
    ),
}
PEOPLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "NL": (
        ("Anouk", "Sanne", "Lotte", "Femke", "Daan", "Joris", "Eva", "Noor", "Bram", "Sophie"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "van Dijk"),
    ),
    "BE": (
        ("Lien", "Wout", "Elise", "Arne", "Marie", "Thomas", "Zoë"),
        ("Peeters", "Janssens", "Maes", "Claes", "Dubois", "Lambert"),
    ),
    "DE": (
        ("Lena", "Jonas", "Sophie", "Lukas", "Hannah", "Jürgen", "Käthe"),
        ("Müller", "Schröder", "Weiß", "Köhler", "Schäfer", "Groß", "Hoffmann"),
    ),
    "FR": (
        ("Élodie", "Camille", "Léa", "Théo", "Chloé", "François", "Hélène"),
        ("Dubois", "Lefèvre", "Moreau", "Girard", "Rousseau", "Bénard"),
    ),
}
COUNTRY_WEIGHTS = (("NL", 55), ("BE", 20), ("DE", 15), ("FR", 10))
PHONE_PREFIX = {"NL": "+31 6", "BE": "+32 470", "DE": "+49 151", "FR": "+33 6"}


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def _postal_code(rng: random.Random, country: str, base: str) -> str:
    if country == "NL":
        letters = rng.choice(string.ascii_uppercase) + rng.choice(string.ascii_uppercase)
        return f"{base}{_digits(rng, 2)} {letters}"
    return base


def _vat(rng: random.Random, country: str) -> str:
    if country == "NL":
        return f"NL{_digits(rng, 9)}B01"
    if country == "BE":
        return f"BE0{_digits(rng, 9)}"
    if country == "FR":
        return f"FR{_digits(rng, 2)}{_digits(rng, 9)}"
    return f"DE{_digits(rng, 9)}"


def _address(rng: random.Random, country: str, company: str, contact: str) -> Address:
    city, base, streets = rng.choice(CITIES[country])
    number = str(rng.randint(1, 180)) + rng.choice(
        ("", "", "", "A", "-2", " bis" if country == "FR" else "B")
    )
    phone = f"{PHONE_PREFIX[country]} {_digits(rng, 4)} {_digits(rng, 4)}"
    return Address(
        company, contact, rng.choice(streets), number, _postal_code(rng, country, base), city, country, phone
    )


def _slug(text: str) -> str:
    return "".join(char for char in text.lower() if char.isascii() and char.isalnum())[:20] or "shop"


def generate_retailers(rng: random.Random, count: int) -> list[Retailer]:
    countries = [country for country, weight in COUNTRY_WEIGHTS for _ in range(weight)]
    retailers: list[Retailer] = []
    seen: set[str] = set()
    for _ in range(count):
        country = rng.choice(countries)
        firsts, lasts = PEOPLE[country]
        contact = f"{rng.choice(firsts)} {rng.choice(lasts)}"
        address = _address(rng, country, "", contact)
        company = rng.choice(SHOPS[country])
        if company in seen:
            company = f"{company} {address.city}"
        if company in seen:
            company = f"{company} {len(seen)}"
        seen.add(company)
        address.company_name = company
        shipping = address
        if rng.random() < 0.15:
            shipping = _address(rng, country, company, contact)
        retailers.append(
            Retailer(
                company, contact, f"info@{_slug(company)}.example", address, shipping, _vat(rng, country)
            )
        )
    return retailers
