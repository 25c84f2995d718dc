"""The API's own stage URL, as a function's environment names it, pointed at the local server.

A function may be told where this API is (`!Sub "https://${Api}.execute-api.${AWS::Region}.
${AWS::URLSuffix}/v1"`), to call it as any client would. Locally that host does not exist,
while the runtime serves the stage's paths at the root of its endpoint, so once the server
listens a value that starts with the stage URL is rewritten to the endpoint plus the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

from local_runtime.events import ApiInfo

__all__ = ["local_stage_urls", "stage_invoke_url"]

# What may follow the stage URL in a URL that is still under it.
_URL_CONTINUATIONS = ("/", "?", "#")


def stage_invoke_url(info: ApiInfo, url_suffix: str) -> str:
    """The stage's invoke URL in AWS: `https://{api id}.execute-api.{region}.{suffix}/{stage}`."""
    return f"https://{info.api_id}.execute-api.{info.region}.{url_suffix}/{info.stage}"


def local_stage_urls(
    environment: Mapping[str, str], stage_url: str, endpoint: str
) -> dict[str, str]:
    """The variables whose value is under ``stage_url``, rewritten to ``endpoint`` (only those).

    `.../v1` and `.../v1/keys?x=1` are under the stage `.../v1`; `.../v10` is not.
    """
    local: dict[str, str] = {}
    for name, value in environment.items():
        if not value.startswith(stage_url):
            continue
        rest = value[len(stage_url) :]
        if rest and not rest.startswith(_URL_CONTINUATIONS):
            continue
        local[name] = endpoint.rstrip("/") + rest
    return local
