"""Where mock accounts live: Faker locales per country, real cities, holder names.

Faker's locales for these countries (en_NG, sw, tw_GH, ...) only carry person names; their
``city()`` falls back to invented US-style names ("New Peace"). Only zu_ZA lists real places,
so every other country's regions come from the curated lists below.

Locale choices where Faker has none for the country (documented, deliberate):
- UG, TZ: ``sw`` (Swahili is an official language of both; East African names).
- ET: ``en_US`` (``am_ET`` has phone numbers only, so Faker would fall back to it anyway).
- MA, TN: ``ar_DZ`` (Maghrebi Arabic names, written in Arabic script, from next door).
- EG: ``ar_AA`` (generic Arabic names; ``ar_EG`` has no person provider).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import TYPE_CHECKING

from sandbox_common.ledger.models import AccountType

if TYPE_CHECKING:
    from faker import Faker

COUNTRY_LOCALES: dict[str, tuple[str, ...]] = {
    "NG": ("en_NG", "yo_NG", "ha_NG", "ig_NG"),
    "KE": ("en_KE", "sw"),
    "ZA": ("zu_ZA",),
    "GH": ("tw_GH",),
    "UG": ("sw",),
    "TZ": ("sw",),
    "ET": ("en_US",),
    "MA": ("ar_DZ",),
    "EG": ("ar_AA",),
    "TN": ("ar_DZ",),
}
# Accepted as a forced locale too: a neutral Latin-script choice besides the country ones.
EXTRA_LOCALES: tuple[str, ...] = ("fr_FR",)

# Major real cities (country's own Latin spelling); ZA comes from Faker's zu_ZA list.
CURATED_CITIES: dict[str, tuple[str, ...]] = {
    "NG": (
        "Lagos", "Abuja", "Kano", "Ibadan", "Port Harcourt", "Benin City", "Kaduna", "Enugu",
        "Onitsha", "Aba", "Jos", "Ilorin", "Warri", "Abeokuta", "Owerri",
    ),
    "KE": (
        "Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret", "Thika", "Malindi", "Kitale",
        "Garissa", "Kakamega", "Nyeri", "Machakos", "Meru", "Naivasha",
    ),
    "GH": (
        "Accra", "Kumasi", "Tamale", "Sekondi-Takoradi", "Cape Coast", "Tema", "Sunyani",
        "Koforidua", "Ho", "Obuasi", "Wa", "Bolgatanga", "Techiman",
    ),
    "UG": (
        "Kampala", "Entebbe", "Gulu", "Mbarara", "Jinja", "Mbale", "Lira", "Masaka", "Arua",
        "Fort Portal", "Kasese", "Hoima", "Soroti", "Mukono",
    ),
    "TZ": (
        "Dar es Salaam", "Dodoma", "Arusha", "Mwanza", "Zanzibar City", "Mbeya", "Morogoro",
        "Tanga", "Moshi", "Tabora", "Kigoma", "Iringa", "Mtwara", "Musoma",
    ),
    "ET": (
        "Addis Ababa", "Dire Dawa", "Mekelle", "Gondar", "Bahir Dar", "Hawassa", "Adama",
        "Jimma", "Dessie", "Jijiga", "Harar", "Shashamane", "Debre Markos", "Arba Minch",
    ),
    "MA": (
        "Casablanca", "Rabat", "Marrakesh", "Fez", "Tangier", "Agadir", "Meknes", "Oujda",
        "Kenitra", "Tetouan", "Safi", "El Jadida", "Nador", "Essaouira",
    ),
    "EG": (
        "Cairo", "Alexandria", "Giza", "Shubra El Kheima", "Port Said", "Suez", "Luxor",
        "Aswan", "Mansoura", "Tanta", "Asyut", "Ismailia", "Faiyum", "Zagazig", "Hurghada",
    ),
    "TN": (
        "Tunis", "Sfax", "Sousse", "Kairouan", "Bizerte", "Gabès", "Ariana", "Gafsa",
        "Monastir", "Nabeul", "Ben Arous", "Kasserine", "Médenine", "Tozeur",
    ),
}  # fmt: skip

# Faker's company() would mix scripts for ar_AA ("الخزرج Group"); a merchant is "<name> Stores"
# in English, so Arabic- and French-named holders get their own wording.
_BUSINESS_FORMATS: dict[str, str] = {"ar_AA": "شركة {last} للتجارة"}
_MERCHANT_FORMATS: dict[str, str] = {"ar": "متجر {last}", "fr": "Boutique {last}"}
_DEFAULT_MERCHANT_FORMAT = "{last} Stores"

# Faker instances are shared (creating one costs ~15 ms) but stateful: reseeding and drawing
# must not interleave between the local runtime's request threads.
_FAKER_LOCK = threading.Lock()
_FAKERS: dict[str, Faker] = {}


def available_locales() -> tuple[str, ...]:
    """Every Faker locale a generation request may force, sorted."""
    used = {locale for locales in COUNTRY_LOCALES.values() for locale in locales}
    return tuple(sorted(used | set(EXTRA_LOCALES)))


@cache
def cities(country: str) -> tuple[str, ...]:
    """Real cities of ``country`` (one of ``COUNTRIES``) to use as account regions."""
    if country == "ZA":
        # Imported here: faker costs ~200 ms to import and cold starts must not pay it.
        from faker.providers.address.zu_ZA import Provider

        return tuple(Provider.cities)
    return CURATED_CITIES[country]


def _faker(locale: str) -> Faker:
    # Caller holds _FAKER_LOCK.
    fake = _FAKERS.get(locale)
    if fake is None:
        from faker import Faker

        fake = _FAKERS[locale] = Faker(locale)
    return fake


def holder_name(locale: str, account_type: AccountType, seed: int | str) -> str:
    """A holder name for an account of ``account_type``, drawn by Faker in ``locale``."""
    with _FAKER_LOCK:
        fake = _faker(locale)
        fake.seed_instance(seed)
        # first + last rather than name(): name() adds titles ("Mr.", "الدكتور").
        if account_type is AccountType.USER:
            return f"{fake.first_name()} {fake.last_name()}"
        if account_type is AccountType.BUSINESS:
            business = _BUSINESS_FORMATS.get(locale)
            return business.format(last=fake.last_name()) if business else fake.company()
        merchant = _MERCHANT_FORMATS.get(locale.split("_")[0], _DEFAULT_MERCHANT_FORMAT)
        return merchant.format(last=fake.last_name())
