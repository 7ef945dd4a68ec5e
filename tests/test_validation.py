"""Arguments that aren't sane values get a message naming the parameter and what it accepts: through the
validation functions, and through the public API (gradio_client), the server serving on after each."""

import math
import re

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from modules import validation
from modules.config import UserInputError
from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"
HOSTILE = [math.nan, math.inf, -math.inf, 1e30, 2**64, "abc", None, True, [1], {"a": 1}]


@pytest.mark.parametrize("value", HOSTILE + [0, 21, 2.5])
def test_whole_numbers_refuse_everything_else_naming_the_parameter(value):
    with pytest.raises(UserInputError, match=r"^top_k .*whole numbers from 1 to 20"):
        validation.whole_number("top_k", value, 1, 20)


@pytest.mark.parametrize("good, expected", [(1, 1), (20.0, 20), (7, 7)])
def test_whole_numbers_accept_what_they_should(good, expected):
    assert validation.whole_number("top_k", good, 1, 20) == expected


def test_numbers_text_flags_and_choices():
    assert validation.number("speed", 1, 0.5, 2.0) == 1.0
    for bad in HOSTILE + [0.1, 2.5]:
        with pytest.raises(UserInputError, match=r"^speed .*numbers from 0.5 to 2"):
            validation.number("speed", bad, 0.5, 2.0)
    assert validation.text("input_text", "hi") == "hi"
    assert validation.text("input_text", None, optional=True) is None
    for bad in (None, 3, {"text": "hi"}, ["hi"]):
        with pytest.raises(UserInputError, match=r"^input_text must be text"):
            validation.text("input_text", bad)
    assert validation.flag("speech_output", False) is False
    for bad in (None, 1, "true", "yes"):
        with pytest.raises(UserInputError, match=r"^speech_output must be true or false"):
            validation.flag("speech_output", bad)
    with pytest.raises(UserInputError, match=r"^input_kind must be one of 'Speech', 'Text'"):
        validation.one_of("input_kind", "Morse", ("Speech", "Text"))


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def call(client, api_name: str, parameter: str, value):
    """Every public endpoint with good arguments but one."""
    clip = handle_file(str(EXAMPLES / "english.wav"))
    calls = {
        "/identify": dict(audio_file=clip, model_id="facebook/mms-lid-126", top_k=5),
        "/speak": dict(input_text="hello", language="eng", seed=0, speed=1.0, expressiveness=0.667),
        "/transcribe": dict(audio_file=clip, model_id="facebook/wav2vec2-base-960h", language="eng"),
        "/align": dict(audio_file=clip, transcript="hello", language="eng"),
        "/translate": dict(
            input_kind="Text", audio_file=None, input_text="hello", source_language="eng", target_language="fra",
            speech_output=False, speaker=0, beams=1, max_new_tokens=16,
        ),
    }
    arguments = calls[api_name] | {parameter: value}
    return client.predict(**arguments, api_name=api_name)


PARAMETERS = [
    ("/identify", "top_k", "whole numbers from 1 to 20"),
    ("/speak", "seed", "whole numbers from 0 to 4,294,967,295"),
    ("/speak", "speed", "numbers from 0.5 to 2"),
    ("/speak", "expressiveness", "numbers from 0 to 1"),
    ("/translate", "speaker", "whole numbers from 0 to 199"),
    ("/translate", "beams", "whole numbers from 1 to 5"),
    ("/translate", "max_new_tokens", "whole numbers from 16 to 512"),
    ("/transcribe", "max_line_chars", "whole numbers from 10 to 200"),
    ("/align", "max_lines", "whole numbers from 1 to 4"),
    ("/translate", "max_cue_seconds", "numbers from 1 to 30"),
]


@pytest.mark.parametrize("api_name, parameter, accepted", PARAMETERS)
@pytest.mark.parametrize("value", [1e30, 2**64, "abc", None, -1, True])
def test_hostile_numbers_through_the_api_name_the_parameter(client, api_name, parameter, accepted, value):
    if parameter == "expressiveness" and value is None:
        assert call(client, api_name, parameter, value)  # no value: the voice's own (0.667)
        return
    with pytest.raises(AppError, match=rf"{parameter} .*{re.escape(accepted)}"):
        call(client, api_name, parameter, value)


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_raw_http_are_refused_by_name(app_url, token):
    """gradio_client can't send them (JSON has no NaN); a raw POST can, as JavaScript's JSON does."""
    import json

    import httpx  # gradio's own HTTP client, so it is always installed

    body = '{"data": ["hello", "eng", 0, %s, 0.667]}' % token
    posted = httpx.post(f"{app_url}gradio_api/call/speak", content=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert posted.status_code == 200, posted.text  # Python's JSON reader takes NaN and Infinity
    event_id = posted.json()["event_id"]
    stream = httpx.get(f"{app_url}gradio_api/call/speak/{event_id}", timeout=60).text
    assert "event: error" in stream
    assert "speed must be a finite number; it accepts numbers from 0.5 to 2" in stream, stream[:500]
    assert json.loads(httpx.get(f"{app_url}gradio_api/info", timeout=30).text)  # still serving


@pytest.mark.parametrize("api_name, parameter", [("/speak", "input_text"), ("/translate", "input_text")])
def test_an_object_where_text_belongs_is_refused(client, api_name, parameter):
    with pytest.raises(AppError, match=rf"{parameter} must be text"):
        call(client, api_name, parameter, {"text": "hello"})
    with pytest.raises(AppError, match="speech_output must be true or false"):
        call(client, "/translate", "speech_output", "yes")
    assert call(client, "/speak", "input_text", "still serving")[1] == "still serving"


def test_a_user_error_is_one_log_line_and_a_fault_one_traceback_both_with_the_visitors_ref(caplog, monkeypatch):
    import logging

    import gradio as gr

    from modules import speak
    from ui.speak import speak_text

    with caplog.at_level(logging.INFO, logger="polyglot"):
        with pytest.raises(gr.Error) as refused:
            speak_text("hello", "eng", seed=-5)
    ref = re.search(r"\(ref ([0-9a-f]{8})\)$", str(refused.value.message))[1]
    lines = [record for record in caplog.records if record.name == "polyglot"]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert lines[0].getMessage() == f"[ref {ref}] speak_text refused: seed is out of range; it accepts whole numbers from 0 to 4,294,967,295. Got -5."

    caplog.clear()
    monkeypatch.setattr(speak, "synthesize", lambda *args, **kwargs: 1 / 0)
    with caplog.at_level(logging.INFO, logger="polyglot"):
        with pytest.raises(gr.Error) as failed:
            speak_text("hello", "eng")
    ref = re.search(r"\(ref ([0-9a-f]{8})\)$", str(failed.value.message))[1]
    assert str(failed.value.message).startswith("Something went wrong on the server. Please try again.")
    lines = [record for record in caplog.records if record.name == "polyglot"]
    assert len(lines) == 1 and lines[0].exc_info[0] is ZeroDivisionError and f"[ref {ref}]" in lines[0].getMessage()
