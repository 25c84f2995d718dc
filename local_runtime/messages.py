"""The runtime's HTTP request and response, independent of the server that carries them."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["HttpRequest", "HttpResponse"]


@dataclass
class HttpRequest:
    """A request as the client sent it (path and query still percent-encoded)."""

    method: str
    path: str
    query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"
    _lower: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def header(self, name: str) -> str | None:
        """A header's value by case-insensitive name (the last one if repeated)."""
        if self._lower is None:
            self._lower = {k.lower(): v for k, v in self.headers}
        return self._lower.get(name.lower())


@dataclass
class HttpResponse:
    """A response to send: status, ordered headers (names may repeat) and body."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """A header's value by case-insensitive name (the first one if repeated)."""
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def set_header(self, name: str, value: str) -> None:
        """Replace every header of that name with one value."""
        lower = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lower]
        self.headers.append((name, value))

    def set_default_header(self, name: str, value: str) -> None:
        """Add a header unless the response already has one of that name."""
        if self.header(name) is None:
            self.headers.append((name, value))
