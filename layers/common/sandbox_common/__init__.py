"""Shared layer of Sandbox Platform: domain logic, models, repositories and HTTP glue.

Import submodules directly (``from sandbox_common.keys import service``); this package
imports nothing at load time so that every Lambda pays only for what it uses.
"""
