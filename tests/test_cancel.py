"""A request whose client cancels or leaves stops within one piece, and frees the model slot for the next."""

import threading
import time

from gradio_client import Client

from modules.models import SEAMLESS_MODEL, default_cache

PIECE_SECONDS = 0.4


def test_an_abandoned_translation_stops_within_one_piece(app_url, monkeypatch):
    entry = default_cache().get(SEAMLESS_MODEL, "seamless")
    generated = []
    generate = entry.model.generate

    def slow_generate(*args, **kwargs):  # every sentence takes PIECE_SECONDS
        time.sleep(PIECE_SECONDS)
        generated.append(threading.current_thread().name)
        return generate(*args, **kwargs)

    monkeypatch.setattr(entry.model, "generate", slow_generate)
    client = Client(app_url, verbose=False)
    sentences = " ".join(f"Sentence {n}." for n in range(30))  # 30 pieces: 12 s if nothing stops it
    job = client.submit("Text", None, sentences, "eng", "fra", False, 0, 1, 16, api_name="/translate")
    while len(generated) < 3:
        time.sleep(0.05)
    job.cancel()
    time.sleep(3 * PIECE_SECONDS)
    stopped_at = len(generated)
    time.sleep(4 * PIECE_SECONDS)
    assert len(generated) == stopped_at, "the work went on after its client cancelled"
    assert stopped_at <= 3 + 2, "it ran more than one piece past the cancel"
    # The model slot is free: the next visitor's request runs at once.
    started = time.monotonic()
    text, _, _ = client.predict("Text", None, "Hello.", "eng", "fra", False, 0, 1, 16, api_name="/translate")
    assert isinstance(text, str) and time.monotonic() - started < 5
