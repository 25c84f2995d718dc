"""What the HTTP tests share: keys made through the API as an operator would make them."""

from __future__ import annotations

import secrets

import httpx


def new_developer_key(client: httpx.Client, admin_key: str, *, tier: str = "pro") -> str:
    """A fresh developer key (in a sandbox of its own), created with the admin key."""
    name = "dev-" + secrets.token_hex(4)
    response = client.post(
        "/api/v1/sandbox/keys",
        json={"developer_name": name, "developer_email": f"{name}@example.com", "tier": tier},
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["api_key"])
