import random
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from sandbox_common.ledger.models import (
    CURRENCIES,
    AccountType,
    Environment,
    FlagStatus,
    FlagType,
    Network,
    TransactionStatus,
    VerificationStatus,
)
from sandbox_common.mockdata.addresses import is_valid_stellar_public_key
from sandbox_common.mockdata.generator import (
    AMOUNT_RANGES,
    FUNDED_ACCOUNTS,
    SEVERITIES,
    GenerationRequest,
    MockDataSet,
    available_locales,
    generate,
    generate_transactions,
)

ANCHOR = datetime(2026, 11, 22, 12, 30, 15, 987654, tzinfo=UTC)


def make_request(**overrides) -> GenerationRequest:
    fields = {"seed": 20261122, "anchor": ANCHOR} | overrides
    return GenerationRequest(**fields)


def dump(data: MockDataSet) -> list[str]:
    records = [*data.accounts, *data.transactions, *data.compliance_flags]
    return [record.model_dump_json() for record in records]


@pytest.fixture(scope="module")
def default_set() -> MockDataSet:
    return generate(make_request())


@pytest.fixture(scope="module")
def large_set() -> MockDataSet:
    return generate(make_request(accounts=400, transactions=20_000, compliance_records=2_000))


# ------------------------------------------------------------------ determinism


def test_same_seed_gives_identical_data_byte_for_byte(default_set):
    again = generate(make_request())
    assert dump(again) == dump(default_set)


def test_different_seeds_differ(default_set):
    other = generate(make_request(seed=20261123))
    assert {a.id for a in other.accounts}.isdisjoint(a.id for a in default_set.accounts)
    assert [a.holder_name for a in other.accounts] != [a.holder_name for a in default_set.accounts]


def test_equal_anchors_in_other_timezones_give_the_same_data(default_set):
    shifted = ANCHOR.astimezone(timezone(timedelta(hours=3)))
    assert dump(generate(make_request(anchor=shifted))) == dump(default_set)


def test_more_transactions_leave_the_accounts_unchanged(default_set):
    bigger = generate(make_request(transactions=900))
    assert dump(MockDataSet(bigger.accounts, [], [])) == dump(
        MockDataSet(default_set.accounts, [], [])
    )


def test_generation_does_not_touch_global_random():
    import faker.generator

    random.seed(99)
    before = random.getstate()
    faker_shared_before = faker.generator.random.getstate()
    generate(make_request(seed=5, countries=("NG", "KE", "ZA", "GH", "UG", "TZ", "ET")))
    assert random.getstate() == before
    assert faker.generator.random.getstate() == faker_shared_before


def test_concurrent_generation_is_still_deterministic():
    seeds = [11, 12, 13, 14] * 3
    requests = [make_request(seed=s, accounts=60, transactions=200) for s in seeds]
    expected = {s: dump(generate(r)) for s, r in zip(seeds, requests, strict=True)}
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # force the threads to interleave inside Faker
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(generate, requests))
    finally:
        sys.setswitchinterval(interval)
    for seed, result in zip(seeds, results, strict=True):
        assert dump(result) == expected[seed]


# ------------------------------------------------------------------ accounts


def test_default_request_gives_the_documented_sizes(default_set):
    assert (len(default_set.accounts), len(default_set.transactions)) == (100, 500)
    assert len(default_set.compliance_flags) == 50
    assert default_set.record_count == 650


def test_funded_scenario_accounts_come_first(default_set):
    for account in default_set.accounts[:FUNDED_ACCOUNTS]:
        assert account.is_active
        assert account.verification_status is VerificationStatus.VERIFIED
        assert account.account_type is AccountType.USER
        assert account.balances == dict.fromkeys(CURRENCIES, Decimal("100000.00"))
        # The documented scenarios: 1,000 USDC and a 50,000 USDC high-value transfer.
        assert account.balance("USDC") >= Decimal("50000")
    assert all(
        a.balances != dict.fromkeys(CURRENCIES, Decimal("100000.00"))
        for a in default_set.accounts[FUNDED_ACCOUNTS:]
    )


def test_fewer_accounts_than_the_scenarios_need_are_all_funded():
    data = generate(make_request(accounts=3, transactions=4, compliance_records=2))
    assert all(a.balance("HBAR") == Decimal("100000.00") for a in data.accounts)


def test_stellar_ids_are_valid_strkeys(large_set):
    stellar = [a for a in large_set.accounts if a.network is Network.STELLAR]
    assert stellar
    assert all(is_valid_stellar_public_key(a.account_id) for a in stellar)


def test_hedera_ids_look_like_hedera_accounts(large_set):
    hedera = [a for a in large_set.accounts if a.network is Network.HEDERA]
    assert hedera
    for account in hedera:
        shard, realm, number = account.account_id.split(".")
        assert (shard, realm) == ("0", "0") and 10_000 <= int(number) <= 9_999_999


def test_networks_are_split_about_evenly(large_set):
    stellar = sum(a.network is Network.STELLAR for a in large_set.accounts)
    assert 0.4 < stellar / len(large_set.accounts) < 0.6


def test_account_ids_are_unique_within_a_set():
    data = generate(make_request(accounts=3_000, transactions=0, compliance_records=0))
    assert len({a.account_id for a in data.accounts}) == 3_000
    assert len({a.id for a in data.accounts}) == 3_000


def test_balances_hold_usdc_the_network_token_and_the_local_currency(large_set):
    local = {"NG": "NGN", "KE": "KES", "ZA": "ZAR", "GH": "GHS"}
    token = {Network.STELLAR: "XLM", Network.HEDERA: "HBAR"}
    for account in large_set.accounts[FUNDED_ACCOUNTS:]:
        expected = {"USDC", token[account.network]} | {local.get(account.country_code, "USDC")}
        assert set(account.balances) == expected
        for amount in account.balances.values():
            assert Decimal(100) <= amount <= Decimal(10_000)
            assert amount.as_tuple().exponent == -2


def test_accounts_follow_the_request(default_set):
    data = generate(make_request(environment=Environment.TESTNET, countries=("TZ", "ET")))
    assert {a.environment for a in data.accounts} == {Environment.TESTNET}
    assert {a.country_code for a in data.accounts} == {"TZ", "ET"}
    assert {a.country_code for a in default_set.accounts} == {"NG", "KE", "ZA", "GH", "UG"}


def test_active_and_verified_shares_follow_the_seed(large_set):
    accounts = large_set.accounts[FUNDED_ACCOUNTS:]
    active = sum(a.is_active for a in accounts) / len(accounts)
    verified = sum(a.verification_status is VerificationStatus.VERIFIED for a in accounts)
    assert 0.91 < active < 0.99
    assert 0.74 < verified / len(accounts) < 0.86
    assert {a.account_type for a in accounts} == set(AccountType)
    assert all(a.metadata["created_by"] == "sandbox" for a in accounts)


def test_verification_comes_after_creation(large_set):
    for account in large_set.accounts:
        if account.verification_status is VerificationStatus.VERIFIED:
            assert account.verified_at is not None
            assert account.created_at < account.verified_at <= ANCHOR
        else:
            assert account.verified_at is None
        assert account.updated_at is None


def test_a_forced_locale_names_every_holder_in_it():
    data = generate(make_request(locale="ar_DZ", transactions=0, compliance_records=0))
    arabic = [a for a in data.accounts if any("\u0600" <= ch <= "\u06ff" for ch in a.holder_name)]
    assert len(arabic) == len(data.accounts)


def test_available_locales_are_accepted_and_others_refused():
    assert "zu_ZA" in available_locales() and "en_NG" in available_locales()
    for locale in available_locales():
        generate(make_request(locale=locale, accounts=3, transactions=0, compliance_records=0))
    with pytest.raises(ValueError):
        make_request(locale="ja_JP")


# ------------------------------------------------------------------ transactions


def test_statuses_follow_the_seed_weights(large_set):
    counts = Counter(t.status for t in large_set.transactions)
    total = len(large_set.transactions)
    assert abs(counts[TransactionStatus.PENDING] / total - 0.10) < 0.01
    assert abs(counts[TransactionStatus.COMPLETED] / total - 0.85) < 0.01
    assert abs(counts[TransactionStatus.FAILED] / total - 0.05) < 0.006


def test_status_decides_completion_and_failure_reason(large_set):
    reasons = {"insufficient_balance", "declined", "account_inactive", "network_timeout"}
    for transaction in large_set.transactions:
        completed = transaction.status is TransactionStatus.COMPLETED
        assert (transaction.completed_at is not None) == completed
        assert transaction.updated_at == transaction.completed_at
        if transaction.status is TransactionStatus.FAILED:
            assert transaction.failure_reason in reasons
        else:
            assert transaction.failure_reason is None


def test_amounts_stay_in_the_seed_ranges(large_set):
    low = min(r[0] for r in AMOUNT_RANGES)
    high = max(r[1] for r in AMOUNT_RANGES)
    amounts = [t.amount for t in large_set.transactions]
    assert all(Decimal(low) <= a <= Decimal(high) for a in amounts)
    assert all(a.as_tuple().exponent == -2 for a in amounts)
    # The top range (10,000..100,000) is drawn a third of the time.
    assert sum(a > 50_000 for a in amounts) / len(amounts) > 0.15
    assert {t.currency for t in large_set.transactions} == set(CURRENCIES)


def test_transactions_join_two_different_accounts_of_the_set(large_set):
    by_id = {a.id: a for a in large_set.accounts}
    for transaction in large_set.transactions:
        source = by_id[transaction.from_account_id]
        target = by_id[transaction.to_account_id]
        assert source is not target
        assert (transaction.from_country_code, transaction.to_country_code) == (
            source.country_code,
            target.country_code,
        )
        assert source.created_at <= transaction.created_at


def test_descriptions_and_scenarios_fit_the_transaction_type(large_set):
    scenarios = {
        "transfer": {"normal", "high_value", "cross_border"},
        "payment": {"merchant", "recurring", "one_time"},
        "remittance": {"family", "business", "emergency"},
    }
    for transaction in large_set.transactions:
        kind = transaction.transaction_type.value
        assert transaction.description.startswith(f"Sandbox {kind} from ")
        assert transaction.metadata["test_scenario"] in scenarios[kind]
        assert transaction.metadata["sandbox"] is True
        assert 1 <= transaction.metadata["fees"] <= 50


def test_timestamps_never_pass_the_anchor(large_set):
    moments = [a.created_at for a in large_set.accounts]
    moments += [a.verified_at for a in large_set.accounts if a.verified_at]
    for transaction in large_set.transactions:
        moments.append(transaction.created_at)
        assert transaction.created_at >= ANCHOR - timedelta(days=7)
        if transaction.completed_at:
            assert timedelta(0) <= transaction.completed_at - transaction.created_at
            assert transaction.completed_at - transaction.created_at <= timedelta(minutes=60)
            moments.append(transaction.completed_at)
    for flag in large_set.compliance_flags:
        moments.append(flag.created_at)
        assert flag.created_at >= ANCHOR - timedelta(days=14)
        if flag.resolved_at:
            moments.append(flag.resolved_at)
    assert all(moment <= ANCHOR for moment in moments)
    assert min(a.created_at for a in large_set.accounts) >= ANCHOR - timedelta(days=30)


def test_timestamps_are_utc_whole_milliseconds(default_set):
    records = [*default_set.accounts, *default_set.transactions, *default_set.compliance_flags]
    for record in records:
        for value in record.__dict__.values():
            if isinstance(value, datetime):
                assert value.tzinfo is UTC
                assert value.microsecond % 1000 == 0


def test_more_transactions_stay_between_the_given_accounts(default_set):
    accounts = default_set.accounts[:10]
    extra = generate_transactions(
        seed=7, anchor=ANCHOR, accounts=accounts, count=100, window=timedelta(days=1)
    )
    ids = {a.id for a in accounts}
    assert len(extra) == 100
    assert all({t.from_account_id, t.to_account_id} <= ids for t in extra)
    latest_account = max(a.created_at for a in accounts)
    earliest = max(ANCHOR - timedelta(days=1), latest_account) - timedelta(milliseconds=1)
    assert all(earliest <= t.created_at <= ANCHOR for t in extra)
    again = generate_transactions(
        seed=7, anchor=ANCHOR, accounts=accounts, count=100, window=timedelta(days=1)
    )
    assert [t.model_dump_json() for t in again] == [t.model_dump_json() for t in extra]


def test_transactions_need_two_accounts(default_set):
    with pytest.raises(ValueError):
        generate_transactions(
            seed=1, anchor=ANCHOR, accounts=default_set.accounts[:1], count=1, window=timedelta(1)
        )
    assert (
        generate_transactions(seed=1, anchor=ANCHOR, accounts=[], count=0, window=timedelta(1))
        == []
    )
    with pytest.raises(ValueError):
        make_request(accounts=1, transactions=1)


# ------------------------------------------------------------------ compliance flags


def test_flags_follow_the_seed_rules(large_set):
    statuses = Counter(f.status for f in large_set.compliance_flags)
    assert set(statuses) == set(FlagStatus)
    for flag in large_set.compliance_flags:
        assert flag.severity in SEVERITIES[flag.flag_type]
        assert flag.title == f"Sandbox {flag.flag_type.value.upper()} Flag"
        assert 1 <= flag.risk_score <= 10
        factors = flag.evidence["risk_factors"]
        assert 1 <= len(factors) == len(set(factors)) <= 3
        assert set(factors) <= {"high_value", "cross_border", "unusual_pattern"}
        resolved = flag.status is FlagStatus.RESOLVED
        assert (flag.resolution is not None) == resolved
        assert flag.resolved_by == ("sandbox_system" if resolved else None)
        if resolved:
            assert flag.created_at < flag.resolved_at <= ANCHOR
            assert flag.resolved_at - flag.created_at <= timedelta(days=7)


def test_about_half_the_flags_concern_a_transaction(large_set):
    linked = [f for f in large_set.compliance_flags if f.transaction_id]
    assert 0.45 < len(linked) / len(large_set.compliance_flags) < 0.55


def test_linked_flags_and_transactions_point_at_each_other(large_set):
    transactions = {t.id: t for t in large_set.transactions}
    account_ids = {a.id for a in large_set.accounts}
    for flag in large_set.compliance_flags:
        assert flag.account_id in account_ids
        if flag.transaction_id is None:
            assert flag.evidence["amount"] is None
            continue
        transaction = transactions[flag.transaction_id]
        assert transaction.compliance_flag_id == flag.id
        assert flag.account_id == transaction.from_account_id
        assert flag.evidence["amount"] == format(transaction.amount, "f")
        assert flag.created_at >= transaction.created_at
    flagged = [t for t in large_set.transactions if t.compliance_flag_id]
    assert len(flagged) == sum(1 for f in large_set.compliance_flags if f.transaction_id)


def test_aml_flags_on_transactions_concern_amounts_at_or_above_the_threshold():
    data = generate(make_request(aml_threshold=Decimal("60000"), compliance_records=300))
    transactions = {t.id: t for t in data.transactions}
    aml = [f for f in data.compliance_flags if f.flag_type is FlagType.AML and f.transaction_id]
    assert aml
    assert all(transactions[f.transaction_id].amount >= Decimal("60000") for f in aml)
    assert all("60000 threshold" in f.description for f in aml)


def test_flags_without_transactions_to_link_go_to_accounts():
    data = generate(make_request(accounts=10, transactions=0, compliance_records=40))
    assert len(data.compliance_flags) == 40
    assert all(f.transaction_id is None for f in data.compliance_flags)


# ------------------------------------------------------------------ request validation


@pytest.mark.parametrize(
    "overrides",
    [
        {"seed": -1},
        {"seed": 2**63},
        {"anchor": datetime(2026, 1, 1)},  # naive
        {"accounts": -1},
        {"countries": ()},
        {"countries": ("NG", "US")},
        {"accounts": 0, "transactions": 0, "compliance_records": 1},
        {"aml_threshold": Decimal(0)},
    ],
)
def test_invalid_requests_are_refused(overrides):
    with pytest.raises(ValueError):
        make_request(**overrides)


def test_an_empty_request_gives_an_empty_set():
    data = generate(make_request(accounts=0, transactions=0, compliance_records=0))
    assert data.record_count == 0
