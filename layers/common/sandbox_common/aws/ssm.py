"""Secrets read from SSM Parameter Store and cached: the bootstrap admin key, the payment
server's key."""

from __future__ import annotations

import logging

from sandbox_common import providers

_log = logging.getLogger(__name__)


def bootstrap_admin_key() -> str | None:
    """The operators' bootstrap admin key, or None if the parameter cannot be read.

    Cached for ``cache_seconds`` (Powertools parameters), so a rotation via
    ``aws ssm put-parameter`` takes effect within that time.
    """
    return secret_parameter(providers.settings().admin_key_parameter)


def secret_parameter(name: str) -> str | None:
    """The (decrypted) value of parameter ``name``, or None if it is empty or cannot be read.

    Cached for ``cache_seconds`` (Powertools parameters), so a rotation via
    ``aws ssm put-parameter`` takes effect within that time.
    """
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_parameter(
            name, max_age=providers.settings().cache_seconds, decrypt=True
        )
    except parameters.exceptions.GetParameterError:
        _log.warning("secret parameter unreadable: %s", name)
        return None
    return str(value) if value else None
