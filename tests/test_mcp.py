"""The tabs as MCP tools: the list over HTTP, every tool's description and argument schema, and one call
through the MCP protocol (the `mcp` package's own client) against the app over the tiny models."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import functools
import http.server
import threading
from pathlib import Path

import pytest
import soundfile

TOOLS = {
    "identify_language": ["audio_file", "model_id", "top_k", "speech_check"],
    "identify_files": ["files", "model_id", "speech_check"],
    "transcribe_audio": ["audio_file", "model_id", "language", "max_line_chars", "max_lines", "max_cue_seconds",
                         "speech_check", "skip_pauses", "max_chars_per_second", "min_gap_seconds"],
    "transcribe_files": ["files", "model_id", "language", "max_line_chars", "max_lines", "max_cue_seconds", "speech_check",
                         "max_chars_per_second", "min_gap_seconds"],
    "align_audio": ["audio_file", "transcript", "language", "transcript_file", "characters", "max_line_chars",
                    "max_lines", "max_cue_seconds", "speech_check", "model_id", "max_chars_per_second", "min_gap_seconds"],
    "speak_text": ["input_text", "language", "seed", "speed", "expressiveness"],
    "translate_input": ["input_kind", "audio_file", "input_text", "source_language", "target_language", "speech_output",
                        "speaker", "beams", "max_new_tokens", "max_line_chars", "max_lines", "max_cue_seconds", "speech_check",
                        "max_chars_per_second", "min_gap_seconds", "subtitle_file"],
    "list_languages": ["query", "task", "max_cer"],
    "compare_models": ["audio_file", "language", "reference", "speech_check"],
    "score_test_set": ["files", "language"],
    "run_round_trip": ["kind", "input_text", "audio_file", "language", "speech_check"],
}


def mcp_call(app_url: str, work):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async def run():
        async with streamablehttp_client(f"{app_url}gradio_api/mcp/") as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await work(session)

    # In a thread of its own: Playwright's sync API (the browser tests) leaves an event loop on this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_every_tab_is_a_described_tool(app_url):
    tools = {tool.name: tool for tool in mcp_call(app_url, lambda session: session.list_tools()).tools}
    assert TOOLS.keys() == tools.keys()
    for name, arguments in TOOLS.items():
        tool = tools[name]
        properties = tool.inputSchema["properties"]
        assert list(properties) == arguments, name
        # Every argument is described, and the description says what the tool does and what it returns.
        assert all(properties[argument].get("description") for argument in arguments), name
        assert len(tool.description) > 60, name
    assert "1,137 languages" in tools["speak_text"].description
    # The language boxes take typed names (issue 22), so no enum: the description points to the codes.
    assert "ISO 639-3" in tools["speak_text"].inputSchema["properties"]["language"]["description"]
    assert "0 (default) to 1 s" in tools["align_audio"].inputSchema["properties"]["min_gap_seconds"]["description"]
    assert ".srt or .vtt" in tools["translate_input"].inputSchema["properties"]["subtitle_file"]["description"]
    assert "up to 100,000 characters" in tools["align_audio"].inputSchema["properties"]["transcript"]["description"]


def test_a_tool_call_through_the_mcp_protocol(app_url):
    result = mcp_call(app_url, lambda session: session.call_tool("speak_text", {"input_text": "Hello there", "language": "eng"}))
    assert not result.isError
    text = result.content[0].text
    assert "hello there" in text and ".wav" in text
    path = text.split("'path': '")[1].split("'")[0]
    assert soundfile.info(path).samplerate == 16000
    refused = mcp_call(app_url, lambda session: session.call_tool("speak_text", {"input_text": "", "language": "eng"}))
    assert refused.isError and refused.content[0].text.startswith("The text is empty. Type or paste something to use.")


def identify_call(app_url, audio_file: str):
    result = mcp_call(app_url, lambda session: session.call_tool("identify_language", {"audio_file": audio_file}))
    return result.isError, result.content[0].text


@pytest.fixture
def file_server(tmp_path, monkeypatch):
    """Files on a local web server; Gradio's own transport hook lets this one address past the public-address
    check, so the size limit is what is tested."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_file_arguments_by_url_and_base64_obey_the_upload_rules(app_url, speech_dir, file_server, monkeypatch):
    import httpx
    from gradio import processing_utils
    from gradio.utils import _parse_file_size

    from tests.conftest import UPLOAD_LIMIT

    wav = (speech_dir / "mono16k.wav").read_bytes()
    limit = _parse_file_size(UPLOAD_LIMIT)
    # base64 is read; a request over the MCP library's 4 MiB body limit (below the upload limit) is refused
    # before it is read (mcp/server/transport_security.py, DEFAULT_MAX_REQUEST_BODY_SIZE).
    failed, text = identify_call(app_url, "data:audio/wav;base64," + base64.b64encode(wav).decode())
    assert not failed and "confidences" in text
    with pytest.raises(BaseException) as refused:
        identify_call(app_url, "data:audio/wav;base64," + base64.b64encode(wav + b"\0" * 3_200_000).decode())
    assert "413" in repr(refused.value.exceptions if hasattr(refused.value, "exceptions") else refused.value)
    # Paths on the server are never read.
    failed, text = identify_call(app_url, "file:///etc/passwd")
    assert failed and "provide a url" in text
    # A URL on a private address is refused in words (Gradio's own check, before any download).
    folder, base = file_server
    (folder / "speech.wav").write_bytes(wav)
    failed, text = identify_call(app_url, base + "speech.wav")
    assert failed and "only files on public web addresses are accepted" in text
    # Let the local server pass as public: then a file within the limit is read, one over it is cut off.
    monkeypatch.setattr(processing_utils, "async_transport", httpx.AsyncHTTPTransport())
    failed, text = identify_call(app_url, base + "speech.wav")
    assert not failed and "confidences" in text
    (folder / "large.wav").write_bytes(wav[:44] + b"\0" * (limit + 1))
    failed, text = identify_call(app_url, base + "large.wav")
    assert failed and f"larger than this server accepts ({UPLOAD_LIMIT.removesuffix('mb')} MB at most)" in text
    # Nothing of it is left on disk, not even the partial download.
    assert not list(Path(app_url_cache()).rglob("large.wav")) and not list(Path(app_url_cache()).rglob("*.part"))
    failed, text = identify_call(app_url, base + "missing.wav")
    assert failed and "the server answered 404" in text
    from tests.conftest import free_port

    failed, text = identify_call(app_url, f"http://127.0.0.1:{free_port()}/nobody-listens.wav")
    assert failed and "can't be fetched (ConnectError)" in text


def app_url_cache() -> str:
    import app

    return app.demo.GRADIO_CACHE


def test_file_arguments_say_how_a_file_may_be_given(app_url):
    tools = {tool.name: tool for tool in mcp_call(app_url, lambda session: session.list_tools()).tools}
    for name in ("identify_language", "transcribe_audio", "align_audio", "translate_input"):
        description = tools[name].inputSchema["properties"]["audio_file"]["description"]
        assert "public http(s) URL" in description and "data: URL (under 3 MB)" in description, name


def test_lists_of_files_are_accepted_and_bad_arguments_are_named(app_url, speech_dir):
    """A list-of-files argument validates (its schema refers to no missing `$defs`) and each of its strings
    becomes a file; a wrong argument is refused with its name (ui/gradio_fixes.py, 3. and 4.)."""
    wav = "data:audio/wav;base64," + base64.b64encode((speech_dir / "mono16k.wav").read_bytes()).decode()
    tools = {tool.name: tool for tool in mcp_call(app_url, lambda session: session.list_tools()).tools}
    for name in ("identify_files", "transcribe_files", "score_test_set"):
        assert "$ref" not in repr(tools[name].inputSchema), name
        assert tools[name].inputSchema["properties"]["files"]["items"]["type"] == "string", name

    def call(name, arguments):
        result = mcp_call(app_url, lambda session: session.call_tool(name, arguments))
        return result.isError, result.content[0].text

    failed, text = call("identify_files", {"files": [wav, wav], "speech_check": False})
    assert not failed and text.count("mono16k.wav") + text.count("file.wav") >= 2, text
    failed, text = call("transcribe_files", {"files": [wav], "speech_check": False})
    assert not failed, text
    failed, text = call("identify_files", {"files": ["file:///etc/passwd"]})
    assert failed and "provide a url" in text
    assert call("speak_text", {"input_text": "Hello", "language": "eng", "seed": "five"}) == (
        True, "Input validation error: argument 'seed': 'five' is not of type 'integer'")
    assert call("identify_files", {"files": [5]}) == (
        True, "Input validation error: argument 'files', item 1: 5 is not of type 'string'")
