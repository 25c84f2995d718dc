"""Account use cases: list, open, show and verify accounts of the caller's sandbox."""

from __future__ import annotations

import random
import secrets

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import NotFound
from sandbox_common.ledger.models import (
    Account,
    AccountCreate,
    AccountFilter,
    Network,
    VerificationStatus,
)
from sandbox_common.mockdata import places
from sandbox_common.pagination import Page
from sandbox_common.sandboxes.data_scope import (
    data_expiry,
    data_scope,
    new_id,
    page_cursor,
    page_limit,
    page_start,
)
from sandbox_common.storage.sandbox_items import DataScope, Kind


def list_accounts(caller: AuthContext, where: AccountFilter) -> Page[Account]:
    """A page of the sandbox's accounts matching ``where``, in listing order.

    The page may be short, even empty, while a cursor follows (see ``listing_plan``).
    """
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    page = providers.accounts_repository().page(
        scope,
        where,
        limit=page_limit(where.limit),
        after=page_start(scope, Kind.ACCOUNT, where),
    )
    return Page(page.items, page_cursor(scope, Kind.ACCOUNT, where, page.next_position))


def get_account(caller: AuthContext, ref: str) -> Account:
    """An account by id or network address; 404 if the sandbox has none such."""
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    return find_account(scope, ref)


def find_account(scope: DataScope, ref: str) -> Account:
    """The scope's account ``ref`` (id or address); NotFound otherwise."""
    account = providers.accounts_repository().get(scope, ref)
    if account is None:
        raise NotFound(f"Account {ref} not found")
    return account


def create_account(caller: AuthContext, request: AccountCreate) -> Account:
    """Open an account, funded with the requested test balances."""
    caller.require(Permission.WRITE)
    _, scope = data_scope(caller)
    now = providers.clock().now()
    # Only what the caller left out is drawn at random; nothing here needs reproducing.
    rng = random.Random(secrets.randbits(64))
    account = Account(
        id=new_id(),
        account_id=_new_address(request.network, rng),
        network=request.network,
        environment=request.environment,
        account_type=request.account_type,
        country_code=request.country_code,
        region=request.region or rng.choice(places.cities(request.country_code)),
        holder_name=request.holder_name
        or places.holder_name(
            places.COUNTRY_LOCALES[request.country_code][0],
            request.account_type,
            seed=rng.getrandbits(63),
        ),
        metadata={**request.metadata, "created_by": "api"},
        balances=dict(request.opening_balances),
        created_at=now,
    )
    providers.accounts_repository().add(scope, account, expires_at=data_expiry())
    return account


def verify_account(caller: AuthContext, ref: str) -> Account:
    """Mark an account verified (KYC passed); verifying again changes nothing."""
    caller.require(Permission.WRITE)
    _, scope = data_scope(caller)
    account = find_account(scope, ref)
    if account.verification_status is VerificationStatus.VERIFIED:
        return account  # keeps its first verification time
    return providers.accounts_repository().verify(scope, account.id, providers.clock().now())


def _new_address(network: Network, rng: random.Random) -> str:
    from sandbox_common.mockdata.addresses import (
        random_hedera_account_id,
        random_stellar_address,
    )

    if network is Network.STELLAR:
        return random_stellar_address(rng)
    return random_hedera_account_id(rng)
