"""A workaround for a Gradio (6.31.0) memory leak that a long-running public Space would hit.

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
"""

from __future__ import annotations

import functools

from gradio.state_holder import SessionState


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
