"""A function's environment naming this API's AWS stage is pointed at the local server."""

from __future__ import annotations

from local_runtime.events import ApiInfo
from local_runtime.stage_url import local_stage_urls, stage_invoke_url

INFO = ApiInfo(api_id="abc123", stage="v1", account_id="123456789012", region="us-east-1")
STAGE = "https://abc123.execute-api.us-east-1.amazonaws.com/v1"
LOCAL = "http://127.0.0.1:4321"


def test_the_stage_url_is_the_one_aws_gives_the_stage() -> None:
    assert stage_invoke_url(INFO, "amazonaws.com") == STAGE
    assert stage_invoke_url(INFO, "amazonaws.com.cn").endswith(".amazonaws.com.cn/v1")


def test_values_under_the_stage_keep_their_path_and_query_on_the_local_endpoint() -> None:
    environment = {
        "API_URL": STAGE,
        "API_SLASH": STAGE + "/",
        "API_KEYS": STAGE + "/api/v1/keys?limit=2",
        "API_QUERY": STAGE + "?x=1",
    }

    local = local_stage_urls(environment, STAGE, LOCAL + "/")

    assert local == {
        "API_URL": LOCAL,
        "API_SLASH": LOCAL + "/",
        "API_KEYS": LOCAL + "/api/v1/keys?limit=2",
        "API_QUERY": LOCAL + "?x=1",
    }


def test_other_stages_hosts_and_values_are_left_alone() -> None:
    environment = {
        "OTHER_STAGE": STAGE + "0",
        "OTHER_API": "https://zzz999.execute-api.us-east-1.amazonaws.com/v1",
        "ELSEWHERE": "https://payments.example.com/v1",
        "TABLE": "sandbox-platform-Items",
    }

    assert local_stage_urls(environment, STAGE, LOCAL) == {}
