"""Every public endpoint driven with generated arguments, built from the app's own API description
(`view_api`) and sent through gradio_client (which follows the streamed result a plain POST doesn't show).
Each call must give a result of the right shape, or an error that says what was wrong; the server must
serve on after each."""

import math
import tempfile
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"
TRANSCRIPT = Path(tempfile.mkdtemp(prefix="fuzz-")) / "transcript.txt"
TRANSCRIPT.write_text("Hello, this is a test.", encoding="utf-8")
# What a clear error must not be: a message that tells the caller nothing about their request.
UNCLEAR = ("Something went wrong", "verbose error reporting", "Traceback", "Error(", "ValueError", "TypeError")
# Values any parameter may receive from a careless or hostile caller (JSON can carry all of these).
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=60),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def strategy_for(parameter: dict):
    """Mostly valid values of the parameter's declared type, sometimes anything at all."""
    declared = parameter["type"]
    if parameter["component"] == "Audio":
        clips = [handle_file(str(EXAMPLES / name)) for name in ("english.wav", "french.flac", "russian.wav")]
        valid = st.sampled_from(clips) | st.none()
    elif parameter["component"] == "File" and parameter["type"].get("type") == "array":  # many files at once
        clip = st.sampled_from([handle_file(str(EXAMPLES / name)) for name in ("english.wav", "german.ogg")] + [handle_file(str(TRANSCRIPT))])
        valid = st.lists(clip, max_size=3) | st.none()
    elif parameter["component"] == "File":  # Align's transcript file
        valid = st.sampled_from([handle_file(str(TRANSCRIPT)), handle_file(str(EXAMPLES / "english.wav"))]) | st.none()
    elif "enum" in declared:
        valid = st.sampled_from(declared["enum"][:40]) | st.text(max_size=12)
    elif declared.get("type") == "boolean":
        valid = st.booleans()
    elif declared.get("type") in ("number", "integer"):
        valid = st.integers(-5, 600) | st.floats(-1e6, 1e6, allow_nan=False)
    else:
        valid = st.text(max_size=80)
    return st.one_of(valid, valid, ANYTHING)


@pytest.fixture(scope="module")
def api(app_url):
    client = Client(app_url, verbose=False)
    return client, client.view_api(print_info=False, return_format="dict")["named_endpoints"]


def check_call(client, api_name: str, endpoint: dict, arguments: dict) -> None:
    try:
        result = client.predict(**arguments, api_name=api_name, )
    except AppError as error:
        message = str(error)
        assert message.strip() and not any(word in message for word in UNCLEAR), (api_name, arguments, message)
        return
    returns = endpoint["returns"]
    result = result if isinstance(result, tuple) else (result,)
    assert len(result) == len(returns), (api_name, arguments, result)
    for value, declared in zip(result, returns):
        if declared["component"] in ("Textbox", "Markdown"):
            assert isinstance(value, str)
        if declared["component"] == "Audio" and value is not None:
            assert Path(value).is_file()


@pytest.mark.parametrize(
    "api_name", ["/identify", "/transcribe", "/align", "/speak", "/translate", "/identify_files", "/transcribe_files"]
)
def test_generated_arguments_get_a_result_or_a_clear_error(api, api_name):
    client, endpoints = api
    endpoint = endpoints[api_name]
    strategies = {parameter["parameter_name"]: strategy_for(parameter) for parameter in endpoint["parameters"]}

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.fixed_dictionaries(strategies))
    def one_call(arguments):
        # Keep the work per call small: generated numbers would otherwise ask for minutes of translation.
        if api_name == "/translate" and isinstance(arguments.get("max_new_tokens"), (int, float)):
            arguments["max_new_tokens"] = min(arguments["max_new_tokens"], 32) if math.isfinite(arguments["max_new_tokens"]) else 32
        check_call(client, api_name, endpoint, arguments)

    one_call()
    # Still serving.
    assert client.predict("still here", "eng", 0, api_name="/speak")[1] == "still here"
