"""The embedded AWS: a moto server in this process, and the environment that points boto3 at it."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

__all__ = [
    "ACCOUNT_ID",
    "REGION",
    "EmbeddedMoto",
    "EnvironmentPatch",
    "InProcessAws",
    "fixed_apigateway_id",
    "moto_backend",
    "shared_moto",
    "stop_shared_moto",
]

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account

logger = logging.getLogger(__name__)


def moto_backend(service: str, account_id: str = ACCOUNT_ID, region: str = REGION) -> Any:
    """The in-process moto backend of a service, the same objects the moto server serves."""
    from moto.backends import get_backend

    return get_backend(service)[account_id][region]  # type: ignore[call-overload]


@contextmanager
def fixed_apigateway_id(kind: str, name: str) -> Iterator[str]:
    """While inside, moto gives the API Gateway ``kind`` resource named ``name`` a stable id.

    Ids derived from names stay the same across restarts, so `make run` prints the same plan
    ids every time, and code that cached an id (settings read once per process) is still
    right after a test starts the runtime again.
    """
    from moto.apigateway import utils
    from moto.utilities.id_generator import moto_id_manager

    identifier_class = {
        "rest_api": utils.ApigwRestApiIdentifier,
        "usage_plan": utils.ApigwUsagePlanIdentifier,
        "api_key": utils.ApigwApiKeyIdentifier,
    }[kind]
    identifier = identifier_class(ACCOUNT_ID, REGION, name)
    resource_id = hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()[:10]
    moto_id_manager.set_custom_id(identifier, resource_id)
    try:
        yield resource_id
    finally:
        moto_id_manager.unset_custom_id(identifier)


class EnvironmentPatch:
    """Sets environment variables and puts the previous values back on ``restore``."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def set(self, values: Mapping[str, str]) -> None:
        """Set variables, remembering what each was before the first change."""
        for name, value in values.items():
            self._saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def unset(self, *names: str) -> None:
        """Remove variables, remembering their values."""
        for name in names:
            self._saved.setdefault(name, os.environ.get(name))
            os.environ.pop(name, None)

    def restore(self) -> None:
        """Put every changed variable back as it was."""
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()


class EmbeddedMoto:
    """A moto server on a loopback port (``0``: any free one)."""

    def __init__(self, host: str = "127.0.0.1", region: str = REGION, port: int = 0) -> None:
        self.host = host
        self.region = region
        self.requested_port = port
        self._server: ThreadedMotoServer | None = None
        self.endpoint = ""

    def start(self) -> str:
        """Start the server; returns its endpoint URL."""
        from local_runtime import moto_tuning

        # LOCAL_RUNTIME_MOTO_SPEEDUPS=0 keeps moto's own (slower) code: benchmarks compare.
        moto_tuning.apply(speedups=os.environ.get("LOCAL_RUNTIME_MOTO_SPEEDUPS", "1") != "0")
        # werkzeug logs every moto call at INFO; the runtime logs its own requests.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        if self.requested_port:
            # The server binds in its own thread, and a start whose bind failed waits forever.
            with socket.socket() as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((self.host, self.requested_port))
        self._server = ThreadedMotoServer(
            ip_address=self.host, port=self.requested_port, verbose=False
        )
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        logger.debug("moto server at %s", self.endpoint)
        return self.endpoint

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    def reset(self) -> None:
        """Empty every service: a previous runtime (or test) may have left state behind."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self) -> None:
        """Stop the server."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def environment(self) -> dict[str, str]:
        """The variables that point every boto3 client of the process at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def client(self, service: str) -> Any:
        """A boto3 client for this server that does not depend on the environment."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


# moto keeps its state in module globals: every server in a process would serve the same
# backends. One server per process is therefore the honest model, and it keeps the endpoint
# stable for boto3 clients that handler code cached in an earlier runtime of the process.
_shared: EmbeddedMoto | None = None
_shared_lock = threading.Lock()


def shared_moto(port: int = 0) -> EmbeddedMoto:
    """The process's moto server, started on first use (on ``port``, 0: any free one).

    A server already running keeps its port: the caller compares if it asked for one.
    """
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            _shared = EmbeddedMoto(port=port)
            _shared.start()
        return _shared


def stop_shared_moto() -> None:
    """Stop the process's moto server (at process exit)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.stop()
            _shared = None


class InProcessAws:
    """Sends this process's boto3 calls straight to moto's backends, skipping the socket.

    The handlers' AWS calls dominate a request's cost, and a call over loopback HTTP to the
    embedded server (werkzeug, a thread per call) costs about twice an in-process dispatch.
    The backends are the ones the server serves, so both views of the account stay one.
    """

    def __init__(self) -> None:
        self._mock: Any = None

    def start(self) -> None:
        """Route boto3 calls in-process (moto's `mock_aws`, without resetting state)."""
        from moto import mock_aws

        self._mock = mock_aws()
        self._mock.start(reset=False)

    def stop(self) -> None:
        """Back to normal boto3 behaviour; the account's state is left for the server."""
        if self._mock is not None:
            self._mock.stop(remove_data=False)
            self._mock = None
