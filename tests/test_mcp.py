"""The tabs as MCP tools: the list over HTTP, every tool's description and argument schema, and one call
through the MCP protocol (the `mcp` package's own client) against the app over the tiny models."""

from __future__ import annotations

import asyncio
import concurrent.futures

import soundfile

TOOLS = {
    "identify_language": ["audio_file", "model_id", "top_k", "speech_check"],
    "identify_files": ["files", "model_id", "speech_check"],
    "transcribe_audio": ["audio_file", "model_id", "language", "max_line_chars", "max_lines", "max_cue_seconds",
                         "speech_check", "skip_pauses"],
    "transcribe_files": ["files", "model_id", "language", "max_line_chars", "max_lines", "max_cue_seconds", "speech_check"],
    "align_audio": ["audio_file", "transcript", "language", "transcript_file", "characters", "max_line_chars",
                    "max_lines", "max_cue_seconds", "speech_check"],
    "speak_text": ["input_text", "language", "seed", "speed", "expressiveness"],
    "translate_input": ["input_kind", "audio_file", "input_text", "source_language", "target_language", "speech_output",
                        "speaker", "beams", "max_new_tokens", "max_line_chars", "max_lines", "max_cue_seconds", "speech_check"],
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
    assert TOOLS.keys() <= tools.keys()
    for name, arguments in TOOLS.items():
        tool = tools[name]
        properties = tool.inputSchema["properties"]
        assert list(properties) == arguments, name
        # Every argument is described, and the description says what the tool does and what it returns.
        assert all(properties[argument].get("description") for argument in arguments), name
        assert len(tool.description) > 60, name
    assert "1,137 languages" in tools["speak_text"].description
    assert "eng" in tools["speak_text"].inputSchema["properties"]["language"]["enum"]
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
