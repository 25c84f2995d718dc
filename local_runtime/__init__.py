"""The local runtime: `make run` serves template.yaml's API with no Docker and no AWS account.

An embedded moto server is the AWS; routes, authorizer, usage plans, per-IP rule, gateway
responses and schedules are played from the template; the real handlers run in-process.
"""

from local_runtime.runtime import LocalRuntime, RuntimeConfigError, generate_admin_key
from local_runtime.template import TemplateError

__all__ = ["LocalRuntime", "RuntimeConfigError", "TemplateError", "generate_admin_key"]
