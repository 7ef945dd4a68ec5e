"""Two workarounds for Gradio (6.31.0) behaviour a long-running public Space would hit.

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
