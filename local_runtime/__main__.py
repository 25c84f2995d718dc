"""`python -m local_runtime` (`make run`): serve the API until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from local_runtime.aws import stop_shared_moto
from local_runtime.runtime import LocalRuntime, RuntimeConfigError
from local_runtime.template import TemplateError

logger = logging.getLogger("local_runtime")


def _ip_limit(value: str) -> int | None:
    """`--ip-limit`: empty keeps the template's limit; else a count, 0 for none."""
    if not value.strip():
        return None
    try:
        limit = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if limit < 0:
        raise argparse.ArgumentTypeError("0 (no per-IP limit) or a positive number")
    return limit


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local_runtime",
        description="Serve template.yaml's API locally: moto as AWS, handlers in-process.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", "3000")),
        help="default $PORT or 3000",
    )
    parser.add_argument(
        "--host",
        default=os.environ.get("LOCAL_RUNTIME_HOST", "127.0.0.1"),
        help="address to listen on: default $LOCAL_RUNTIME_HOST or 127.0.0.1 (0.0.0.0: every "
        "interface)",
    )
    parser.add_argument("--template", default="template.yaml", help="relative to the cwd")
    parser.add_argument("--project-root", default=".", help="where .sandbox/local.json goes")
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="template parameter override (repeatable), e.g. EnablePublicIpRateLimit=false",
    )
    parser.add_argument(
        "--aws-transport",
        choices=("in-process", "http"),
        default=os.environ.get("LOCAL_RUNTIME_AWS_TRANSPORT", "in-process"),
        help="how handlers reach moto: in-process dispatch (fast) or HTTP via AWS_ENDPOINT_URL "
        "(default $LOCAL_RUNTIME_AWS_TRANSPORT or in-process)",
    )
    parser.add_argument(
        "--aws-port",
        type=int,
        default=os.environ.get("LOCAL_RUNTIME_AWS_PORT", "0"),  # argparse applies the type
        help="port of the embedded AWS (moto server) that `aws --endpoint-url` reaches "
        "(default $LOCAL_RUNTIME_AWS_PORT, else 0: a free port, new on each start)",
    )
    parser.add_argument(
        "--schedule-speed",
        type=float,
        default=float(os.environ.get("LOCAL_RUNTIME_SCHEDULE_SPEED", "1")),
        help="how much faster than real time the template's Schedule events fire "
        "(60: rate(5 minutes) every 5 s; 0: not at all; default $LOCAL_RUNTIME_SCHEDULE_SPEED "
        "or 1)",
    )
    parser.add_argument(
        "--ip-limit",
        type=_ip_limit,
        default=os.environ.get("LOCAL_RUNTIME_IP_LIMIT", ""),  # argparse applies the type
        metavar="N",
        help="keyless requests allowed per IP per WAF window (the template's rule: 67 per 600 s); "
        "0: no per-IP limit (default $LOCAL_RUNTIME_IP_LIMIT, else the template's)",
    )
    parser.add_argument(
        "--log-level",
        default=os.environ.get("LOCAL_RUNTIME_LOG_LEVEL", "INFO"),
        help="DEBUG, INFO, WARNING or ERROR (default $LOCAL_RUNTIME_LOG_LEVEL or INFO)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run until interrupted; 0 on a clean stop, 2 on a configuration error."""
    args = _parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    # Mangum logs each request it adapts, a second line beside the access log's one (which
    # has the status too, plus the latency and the caller's key).
    logging.getLogger("mangum.http").setLevel(logging.WARNING)
    parameters = dict(item.split("=", 1) for item in args.parameter if "=" in item)
    # EMF lines are CloudWatch's input; locally nothing reads them and they drown the access
    # log. Setting POWERTOOLS_METRICS_DISABLED=false brings them back.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    runtime = LocalRuntime(
        Path(args.template).resolve(),  # relative to the working directory, as `make run` runs
        port=args.port,
        host=args.host,
        project_root=Path(args.project_root),
        parameters=parameters,
        aws_transport=args.aws_transport,
        schedule_speed=args.schedule_speed,
        ip_limit=args.ip_limit,
        aws_port=args.aws_port,
    )
    stopping = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("%s received, stopping", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        runtime.start()
    except (TemplateError, RuntimeConfigError) as exc:
        logger.error("cannot start: %s", exc)
        stop_shared_moto()
        return 2
    except OSError as exc:
        logger.error("cannot listen on %s:%s: %s", args.host, args.port, exc)
        stop_shared_moto()
        return 2

    # The handlers are imported now rather than by the first request of each (a burst of
    # first requests would all wait for it); then everything start-up made (modules,
    # botocore's service models, moto's backends) lives as long as the process: frozen, the
    # collector no longer walks it on each full collection.
    def warm_then_freeze() -> None:
        runtime.warm()
        gc.collect()
        gc.freeze()

    threading.Thread(target=warm_then_freeze, name="warm-up", daemon=True).start()
    try:
        path = runtime.write_local_json()
        sys.stdout.write(json.dumps(runtime.local_info(), indent=2) + "\n")
        sys.stdout.flush()
        logger.info("%s", runtime.aws_cli_hint())
        logger.info("wrote %s; Ctrl-C to stop", path)
        while not stopping.wait(0.5):
            pass
    finally:
        runtime.stop()
        stop_shared_moto()
    logger.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
