"""The bootstrap admin key, read from SSM Parameter Store and cached."""

from __future__ import annotations

import logging

from sandbox_common import providers

_log = logging.getLogger(__name__)


def bootstrap_admin_key() -> str | None:
    """The operators' bootstrap admin key, or None if the parameter cannot be read.

    Cached for ``cache_seconds`` (Powertools parameters), so a rotation via
    ``aws ssm put-parameter`` takes effect within that time.
    """
    from aws_lambda_powertools.utilities import parameters

    settings = providers.settings()
    try:
        value = parameters.get_parameter(
            settings.admin_key_parameter, max_age=settings.cache_seconds, decrypt=True
        )
    except parameters.exceptions.GetParameterError:
        _log.warning("bootstrap admin key parameter unreadable: %s", settings.admin_key_parameter)
        return None
    return str(value) if value else None
