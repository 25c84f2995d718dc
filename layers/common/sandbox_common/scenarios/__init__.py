"""Pre-built test scenarios: a data-driven catalog and a step runner.

A scenario is a JSON file in ``catalog/`` (``<id>.json``): adding one needs no code, only
actions the caller already binds. :mod:`.models` defines the file format (including the
``{{step_N.field}}`` and ``{{sandbox_account_N}}`` placeholders), :mod:`.catalog` loads and
validates the files, and :mod:`.engine` runs a scenario's steps against a mapping of action
names to callables. Nothing here touches AWS or HTTP.
"""
