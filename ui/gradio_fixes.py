"""Workarounds for Gradio (6.31.0) behaviour a long-running public Space would hit.

1. A memory leak.

When an event returns a property update (`gr.update(...)`, `gr.skip()`, a component instance) Gradio
builds a fresh copy of the component for the visitor's session (`Blocks.postprocess_data`). The copy
gets a new `_id`, and a later line stores it once more under that new id (`if block._id not in state:
state[block._id] = block`), with a config entry beside it. Nothing ever reads those ids (events name
the app's own ids), and nothing removes them: every "no change" our cancellable handlers yield, and
every button re-enabled, adds a component and its config to the session, for as long as the session
lives (sessions are only dropped past `state_session_capacity`, 10,000). A 30-minute soak of 8 API
clients grew the server by ~8 MB a minute this way.

The fix: a session keeps state only for the app's own components (and `gr.State` values, which are
stored by the same method). Installed once, by `app.py`; `tests/test_robustness.py` checks that a
session's stored components stay at the app's count however many requests it makes.

2. Files given as URLs (how MCP clients pass audio: the tool schema asks for "a http or https url") are
downloaded by Gradio before any handler runs, whole, with no size limit (`processing_utils.
async_ssrf_protected_download` reads the full body into memory). Uploads and base64 arguments are held
to `max_file_size`; a URL now is too: the download streams and stops past the limit, with the same
public-address check (safehttpx's, as Gradio's), and its failures are said in words. Duration and format
are then checked by the handler, as for any upload. `tests/test_mcp.py` checks each case.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlparse

import gradio as gr
import httpx
import safehttpx
from gradio import processing_utils
from gradio.state_holder import SessionState
from gradio_client import utils as client_utils


def keep_sessions_to_the_apps_components() -> None:
    if getattr(SessionState, "_polyglot_fixed", False):
        return
    original_init = SessionState.__init__
    original_setitem = SessionState.__setitem__
    original_update_value = SessionState._update_value_in_config

    @functools.wraps(original_init)
    def __init__(self, blocks):
        original_init(self, blocks)
        self._app_ids = frozenset(blocks.blocks)  # the ids events and the page refer to

    @functools.wraps(original_setitem)
    def __setitem__(self, key, value):
        if key in self._app_ids:
            original_setitem(self, key, value)

    @functools.wraps(original_update_value)
    def _update_value_in_config(self, key, value):
        if key in self._app_ids:
            original_update_value(self, key, value)

    SessionState.__init__ = __init__
    SessionState.__setitem__ = __setitem__
    SessionState._update_value_in_config = _update_value_in_config
    SessionState._polyglot_fixed = True


MAX_REDIRECTS = 5


def limit_url_downloads(max_bytes: int | None) -> None:
    """Files given by URL obey the upload size limit (see 2. above)."""

    async def bounded_download(url: str, cache_dir: str) -> str:
        name = client_utils.strip_invalid_filename_characters(Path(urlparse(url).path.rstrip("/")).name)
        target = Path(cache_dir) / processing_utils.hash_url(url) / (name if name.strip(".") else "file")
        if target.is_file():
            return str(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own per download: two requests for one URL don't write into each other's file.
        handle, partial = tempfile.mkstemp(dir=target.parent, suffix=".part")
        os.close(handle)
        try:
            await _stream_to(url, Path(partial), max_bytes)
            os.replace(partial, target)
        except httpx.HTTPError as error:
            raise gr.Error(f"The file at {url} can't be fetched ({type(error).__name__}).", print_exception=False) from None
        finally:
            Path(partial).unlink(missing_ok=True)
        return str(target)

    processing_utils.async_ssrf_protected_download = bounded_download


async def _stream_to(url: str, path: Path, max_bytes: int | None) -> None:
    for _ in range(MAX_REDIRECTS + 1):
        host = httpx.URL(url).host
        if processing_utils.async_transport is not None:  # Gradio's own test hook, as in its download
            transport = processing_utils.async_transport
        elif safehttpx.matches_domain_whitelist(host, processing_utils.PUBLIC_HOSTNAME_WHITELIST):
            transport = None
        else:
            try:
                transport = safehttpx.AsyncSecureTransport(await safehttpx.async_validate_url(host))
            except ValueError:
                raise gr.Error(f"The file at {url} can't be fetched: only files on public web addresses are "
                               "accepted (http or https), or send the file itself.", print_exception=False)
        async with httpx.AsyncClient(transport=transport) as client:
            async with client.stream("GET", url, follow_redirects=False) as response:
                if response.has_redirect_location:
                    url = urljoin(str(response.url), response.headers["Location"])
                    continue
                if response.status_code != 200:
                    raise gr.Error(f"The file at {url} can't be fetched: the server answered {response.status_code}.",
                                   print_exception=False)
                received = 0
                with path.open("wb") as sink:
                    async for chunk in response.aiter_bytes():
                        received += len(chunk)
                        if max_bytes is not None and received > max_bytes:
                            raise gr.Error(f"The file at {url} is larger than this server accepts "
                                           f"({max_bytes / 2**20:.0f} MB at most).", print_exception=False)
                        sink.write(chunk)
                return
    raise gr.Error(f"The file at {url} can't be fetched: more than {MAX_REDIRECTS} redirects.", print_exception=False)


# 3. and 4.: the MCP tools' argument schemas (gradio/mcp.py, with the `mcp` package's validation).
#
# 3. A list of files (`gr.File(file_count="multiple")`) can't be passed at all. Its schema is pydantic's for
# `ListFiles`: `{"type": "array", "items": {"$ref": "#/$defs/FileData"}, "$defs": {...}}`. Gradio puts it, as
# is, under the tool schema's `properties`, then (`simplify_filedata_schema`) turns the FileData nodes into
# URL strings but leaves the `$ref` beside them. A `#/$defs/...` pointer is read from the schema's root, where
# there is no `$defs`, so the `mcp` package's `jsonschema.validate` of every call fails with
# "PointerToNowhere: '/$defs/FileData' does not exist". And past that, Gradio only turns URL / base64 strings
# into files where the schema path names the value exactly: `["files", "items"]` is never the path of a list
# element (`["files", 0]`), so the strings would reach the component as they are.
# The fix: the `$ref`s beside a replaced FileData node go, nested `$defs` still referred to move to the root
# (the rest go), and a schema path's `items` / `properties` / `anyOf` steps are matched to the value's.
#
# 4. A wrong-typed argument is refused with jsonschema's message alone ("'five' is not of type 'integer'"),
# which doesn't say which argument. The call is now checked first against the same schema, the same way
# (jsonschema's `best_match`), and the message names the argument ("seed: 'five' is not of type 'integer'").

GRADIO_FILE_FORMAT = "a http or https url to a file"  # the end of the format Gradio gives file arguments


def fix_mcp_tool_arguments() -> None:
    from gradio.mcp import GradioMCPServer
    from mcp import types as mcp_types

    if getattr(GradioMCPServer, "_polyglot_fixed", False):
        return
    original_simplify = GradioMCPServer.simplify_filedata_schema
    original_convert = GradioMCPServer.convert_strings_to_filedata
    original_create = GradioMCPServer.create_mcp_server

    @functools.wraps(original_simplify)
    def simplify_filedata_schema(self, schema):
        simplified, positions = original_simplify(self, schema)
        # Positions inside `$defs` are the definitions themselves, never a value's path.
        return _resolve_local_refs(simplified), [p for p in positions if "$defs" not in p]

    @functools.wraps(original_convert)
    def convert_strings_to_filedata(self, value, filedata_positions):
        concrete = [path for position in filedata_positions for path in _value_paths(value, list(position))]
        return original_convert(self, value, concrete)

    @functools.wraps(original_create)
    def create_mcp_server(self):
        server = original_create(self)
        server.request_handlers[mcp_types.CallToolRequest] = _naming_argument_errors(
            server, server.request_handlers[mcp_types.CallToolRequest])
        return server

    GradioMCPServer.simplify_filedata_schema = simplify_filedata_schema
    GradioMCPServer.convert_strings_to_filedata = convert_strings_to_filedata
    GradioMCPServer.create_mcp_server = create_mcp_server
    GradioMCPServer._polyglot_fixed = True


def _resolve_local_refs(schema: dict) -> dict:
    """`schema` with no `$ref` beside a file (URL string) node, and every `$defs` entry still referred to at
    its root, where `#/$defs/...` points."""
    defs: dict = {}

    def walk(node):
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = dict(node)
        if node.get("type") == "string" and str(node.get("format", "")).endswith(GRADIO_FILE_FORMAT):
            node.pop("$ref", None)
        for name, definition in (node.pop("$defs", None) or {}).items():
            defs.setdefault(name, walk(definition))
        return {key: walk(value) for key, value in node.items()}

    result = walk(schema)
    kept, pending = {}, [result]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref[len("#/$defs/"):]
                if name in defs and name not in kept:
                    kept[name] = defs[name]
                    pending.append(defs[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    if kept:
        result["$defs"] = kept
    return result


def _value_paths(value, position: list):
    """The paths in an argument value that a schema path (as Gradio records one: the argument's name, then the
    schema's keys below it) stands for."""
    if not position:
        yield []
        return
    step, rest = position[0], position[1:]
    if step in ("anyOf", "oneOf", "allOf") and rest and isinstance(rest[0], int):
        yield from _value_paths(value, rest[1:])  # an alternative of the same value
    elif step == "properties" and rest and isinstance(value, dict):
        if rest[0] in value:
            yield from ([rest[0], *path] for path in _value_paths(value[rest[0]], rest[1:]))
    elif step == "items" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from ([index, *path] for path in _value_paths(item, rest))
    elif step == "prefixItems" and rest and isinstance(value, list) and isinstance(rest[0], int):
        if rest[0] < len(value):
            yield from ([rest[0], *path] for path in _value_paths(value[rest[0]], rest[1:]))
    elif isinstance(value, dict) and step in value:
        yield from ([step, *path] for path in _value_paths(value[step], rest))


def _naming_argument_errors(server, handler):
    import jsonschema
    from mcp import types as mcp_types

    async def call_tool(request):
        try:
            tool = await server._get_cached_tool_definition(request.params.name)
            if tool is not None:
                schema = tool.inputSchema
                validator = jsonschema.validators.validator_for(schema)(schema)
                error = jsonschema.exceptions.best_match(validator.iter_errors(request.params.arguments or {}))
                if error is not None:
                    where = _argument_path(error.absolute_path)
                    return mcp_types.ServerResult(mcp_types.CallToolResult(
                        content=[mcp_types.TextContent(
                            type="text", text=f"Input validation error: {where}{': ' if where else ''}{error.message}")],
                        isError=True,
                    ))
        except Exception:  # noqa: BLE001 (a schema jsonschema can't read: the library's own handling says so)
            pass
        return await handler(request)

    return call_tool


def _argument_path(path) -> str:
    """`['files', 0]` as "argument 'files', item 1"."""
    steps = list(path)
    if not steps:
        return ""
    words = [f"argument '{steps[0]}'"]
    for step in steps[1:]:
        words.append(f"item {step + 1}" if isinstance(step, int) else f"field '{step}'")
    return ", ".join(words)


# 5. A stream whose client went away holds its concurrency slot for its whole time limit. Between two pieces
# Gradio waits for the next one up to the event's `time_limit` (queueing.py `Queue.wait_for_batch`, given
# `time_limit - first_iteration`): live captions allow ten minutes, so four visitors who closed their tabs
# after one piece held all four stream slots for ten minutes, and the fifth visitor got no answer. A stream
# whose next piece doesn't come within `idle_seconds` now ends there (the page sends one every second).


def end_idle_streams(idle_seconds: float) -> None:
    from gradio.queueing import Queue

    if getattr(Queue, "_polyglot_idle_streams", None) is not None:
        Queue._polyglot_idle_streams = idle_seconds
        return
    original = Queue.wait_for_batch

    async def wait_for_batch(events, timeouts):
        return await original(events, [min(timeout, Queue._polyglot_idle_streams) for timeout in timeouts])

    Queue.wait_for_batch = staticmethod(wait_for_batch)
    Queue._polyglot_idle_streams = idle_seconds
