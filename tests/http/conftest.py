"""HTTP tests: the runtime, client and admin_key fixtures live in tests/conftest.py."""
