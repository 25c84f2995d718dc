from datetime import UTC, datetime

import pytest

from sandbox_common.ledger.models import COUNTRIES, AccountType
from sandbox_common.mockdata import places
from sandbox_common.mockdata.generator import GenerationRequest, generate

# One well-known city per country: the lists hold real places, not Faker's "New Peace".
LANDMARK_CITIES = {
    "NG": "Lagos",
    "KE": "Nairobi",
    "ZA": "Polokwane",
    "GH": "Accra",
    "UG": "Kampala",
    "TZ": "Dar es Salaam",
    "ET": "Addis Ababa",
    "MA": "Casablanca",
    "EG": "Cairo",
    "TN": "Tunis",
}
FAKE_CITY_MARKS = ("town", "ville", "bury", "chester", "mouth", "shire", "furt", "borough")


def test_every_country_has_locales_and_cities():
    assert set(places.COUNTRY_LOCALES) == set(COUNTRIES)
    for country in COUNTRIES:
        assert places.COUNTRY_LOCALES[country]
        assert len(set(places.cities(country))) >= 10


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_country_has_real_cities(country):
    cities = places.cities(country)
    assert LANDMARK_CITIES[country] in cities
    assert not [c for c in cities if c.lower().endswith(FAKE_CITY_MARKS)]
    data = generate(
        GenerationRequest(
            seed=3,
            anchor=datetime(2026, 11, 22, tzinfo=UTC),
            accounts=40,
            transactions=10,
            compliance_records=5,
            countries=(country,),
        )
    )
    assert {a.region for a in data.accounts} <= set(cities)
    assert len({a.region for a in data.accounts}) > 5


def test_south_african_cities_come_from_fakers_real_list():
    from faker.providers.address.zu_ZA import Provider

    assert places.cities("ZA") == tuple(Provider.cities)


@pytest.mark.parametrize("locale", places.available_locales())
@pytest.mark.parametrize("account_type", list(AccountType))
def test_every_locale_names_every_kind_of_holder(locale, account_type):
    names = {places.holder_name(locale, account_type, seed) for seed in range(20)}
    assert len(names) > 5
    assert all(name.strip() == name and name for name in names)
    # first + last name, never Faker's titles
    assert not [n for n in names if n.startswith(("Mr.", "Mrs.", "Dr.", "الدكتور"))]


def test_holder_names_depend_only_on_the_seed():
    first = places.holder_name("en_NG", AccountType.USER, 1234)
    places.holder_name("en_NG", AccountType.BUSINESS, 99)
    assert places.holder_name("en_NG", AccountType.USER, 1234) == first


def test_arabic_holders_are_not_named_in_mixed_scripts():
    for seed in range(30):
        for account_type in (AccountType.BUSINESS, AccountType.MERCHANT):
            name = places.holder_name("ar_AA", account_type, seed)
            assert not any("a" <= ch.lower() <= "z" for ch in name), name
