"""Live captions: pieces read with the same context handling as file chunks (nothing lost or doubled at
piece edges), separate sessions, the final transcript is the recording's; and the browser with a fake mic."""

from __future__ import annotations

import numpy as np
import pytest

from modules import live, transcribe
from modules.audio import SAMPLE_RATE, load_audio_16k
from modules.config import UserInputError
from modules.models import MMS_ASR_MODEL, ModelCache
from tests.conftest import REPO_ROOT
from tests.tiny_models import build_mms_asr

EXAMPLES = REPO_ROOT / "examples"


@pytest.fixture(scope="module")
def local_mms(tmp_path_factory):
    """A tiny MMS whose frames depend only on nearby audio: context handling must then change nothing."""
    return ModelCache({MMS_ASR_MODEL: str(build_mms_asr(tmp_path_factory.mktemp("mms-local"), local_only=True))})


def microphone(seconds_of_silence_after: float = 3.0, rate: int = 48_000) -> list[np.ndarray]:
    """english.wav as a browser sends it: 48 kHz int16, in half-second pieces, then some silence."""
    import soxr

    speech = load_audio_16k(str(EXAMPLES / "english.wav")).samples
    audio = np.concatenate([soxr.resample(speech, SAMPLE_RATE, rate), np.zeros(int(seconds_of_silence_after * rate), np.float32)])
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    step = rate // 2
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


def test_streamed_frames_equal_one_pass_over_what_was_received(local_mms):
    session = live.start(MMS_ASR_MODEL, "eng")
    texts = [live.add(session, 48_000, piece, cache=local_mms) for piece in microphone()]
    assert texts[-1] and len(set(texts)) > 2  # the text grew while "speaking"
    entry = local_mms.get(MMS_ASR_MODEL, "ctc")
    received = session.recording()
    whole = transcribe.ctc_ids(entry, received, 1000, lambda *_: None)
    assert len(session.final_ids) * 0.02 >= 3.5  # all of the 3.5 s of speech is final (2 s of context after it)
    assert session.final_ids.tolist() == whole[: len(session.final_ids)]  # nothing lost or doubled at 12 piece edges
    final, recording = live.finish(session, cache=local_mms)
    assert final.text == transcribe.transcribe(recording, "eng", MMS_ASR_MODEL, cache=local_mms).text
    assert np.array_equal(recording[: len(received)], received)
    assert not session.folder.exists()  # the recording file went with the session


def test_sessions_do_not_share_state(local_mms):
    pieces = microphone(1.0)
    alone = live.start(MMS_ASR_MODEL, "eng")
    for piece in pieces:
        live.add(alone, 48_000, piece, cache=local_mms)
    first, second = live.start(MMS_ASR_MODEL, "eng"), live.start(MMS_ASR_MODEL, "fra")
    for piece in pieces:  # interleaved, two languages (two adapters) on one model
        live.add(first, 48_000, piece, cache=local_mms)
        live.add(second, 48_000, piece[::-1].copy(), cache=local_mms)
    assert first.text == alone.text and first.final_ids == alone.final_ids
    assert np.array_equal(first.recording(), alone.recording()) and not np.array_equal(second.recording(), first.recording())


def test_every_microphone_layout_is_scaled_as_uploads_are(local_mms):
    """int16 stereo from a microphone used to be averaged first and then never scaled (peak 9,830 for 0.3)."""
    mono = microphone(0.5)
    stereo = [np.stack([piece, piece], axis=1) for piece in mono]
    floats = [piece.astype(np.float32) / 32768 for piece in mono]
    recordings = []
    for pieces in (mono, stereo, floats):
        session = live.start(MMS_ASR_MODEL, "eng")
        for piece in pieces:
            live.add(session, 48_000, piece, cache=local_mms)
        recordings.append(session.recording())
        session.discard()
    assert 0.1 < np.abs(recordings[0]).max() <= 1.0
    assert np.allclose(recordings[0], recordings[1]) and np.allclose(recordings[0], recordings[2], atol=1e-6)


def test_a_session_keeps_little_in_memory_and_nothing_after_stop(local_mms):
    """The recording is on disk; in memory only what the next piece reads again. 40 s of pieces: the tail
    stays under ~6 s of audio (it kept the whole recording: ~3.8 MB a minute, an hour after the tab closed)."""
    pieces = microphone(0.0)
    session = live.start(MMS_ASR_MODEL, "eng")
    sizes = []
    for _ in range(4):
        for piece in pieces:
            live.add(session, 48_000, piece, cache=local_mms)
            sizes.append(session.memory_bytes())
    assert session.seconds > 12 and len(session.recording()) == session.received
    limit = 6 * SAMPLE_RATE * 4 + 4 * 50 * session.seconds + 10_000  # 6 s of float32, 4 bytes per frame id, text
    assert max(sizes) < limit and session.tail.nbytes <= 6 * SAMPLE_RATE * 4
    live.finish(session, cache=local_mms)
    assert not session.folder.exists() and session.tail.nbytes == 0


def test_an_abandoned_session_loses_its_recording(local_mms):
    session = live.start(MMS_ASR_MODEL, "eng")
    live.add(session, 48_000, microphone(0.0)[0], cache=local_mms)
    assert session.folder.exists()
    assert live.discard_idle(now=__import__("time").time() + 60) == []  # still recent: Stop may be queued
    assert session.folder in live.discard_idle(now=__import__("time").time() + live.KEPT_AFTER_LAST_PIECE_SECONDS + 1)
    assert not session.folder.exists()
    with pytest.raises(UserInputError, match="The recording was discarded: no audio arrived for 5 minutes"):
        live.finish(session, cache=local_mms)


def test_a_session_reading_a_piece_is_never_discarded(local_mms):
    """A piece waiting for the model (a busy server) longer than the idle time: its session is in use, and its
    recording stays (the soak found finished sessions whose recording had been deleted under them)."""
    import time

    session = live.start(MMS_ASR_MODEL, "eng")
    live.add(session, 48_000, microphone(0.0)[0], cache=local_mms)
    with live._reading_piece(session):
        assert session.folder not in live.discard_idle(now=time.time() + 10 * live.KEPT_AFTER_LAST_PIECE_SECONDS)
    assert session.folder.exists()
    session.discard()


def test_two_pieces_of_one_session_are_read_one_at_a_time(local_mms):
    """A piece that arrives while another of the same session is being read waits for it (both would change
    the session's recording, ids and text at once)."""
    import threading

    pieces = microphone(0.0)[:2]
    session = live.start(MMS_ASR_MODEL, "eng")
    live.add(session, 48_000, pieces[0], cache=local_mms)
    finished = threading.Event()
    with session.lock:  # as if the first piece were still being read
        worker = threading.Thread(target=lambda: (live.add(session, 48_000, pieces[1], cache=local_mms), finished.set()))
        worker.start()
        assert not finished.wait(1.0)
        received = session.received
    worker.join(30)
    assert finished.is_set() and session.received > received
    session.discard()


def test_an_idle_stream_frees_its_slot():
    """Gradio waits for a stream's next piece up to its whole time limit (ten minutes for live captions): a
    closed tab held its slot that long. With the fix, the wait ends after live.IDLE_SECONDS."""
    import asyncio
    import time

    from gradio.queueing import Queue

    from ui.gradio_fixes import end_idle_streams

    class Silent:  # a stream event whose client sends nothing more
        signal = asyncio.Event

    end_idle_streams(0.5)
    try:
        async def wait():
            event = Silent()
            event.signal = asyncio.Event()
            started = time.monotonic()
            awake, closed = await Queue.wait_for_batch([event], [600.0])
            return time.monotonic() - started, awake, closed

        import concurrent.futures

        # In a thread of its own: Playwright's sync API (the browser tests) leaves an event loop on this one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            waited, awake, closed = pool.submit(asyncio.run, asyncio.wait_for(wait(), 20)).result()
        assert waited < 5 and awake == [] and len(closed) == 1
    finally:
        end_idle_streams(live.IDLE_SECONDS)


def test_live_needs_a_ctc_model_and_a_language():
    with pytest.raises(UserInputError, match="Live captions work with the CTC models"):
        live.start("facebook/seamless-m4t-v2-large", "eng")
    with pytest.raises(UserInputError, match="need the language"):
        live.start(MMS_ASR_MODEL, transcribe.AUTO)
    with pytest.raises(UserInputError, match="Nothing was recorded"):
        live.finish(live.start(MMS_ASR_MODEL, "eng"))


def test_live_captions_in_the_browser_with_a_fake_microphone(playwright, app_url, tmp_path):
    """Chromium plays a WAV as the microphone; text appears while it plays; stopping gives the transcript of
    exactly what the server received (its recording is offered for download, and transcribed again here)."""
    import re
    import urllib.parse

    import soundfile
    from gradio_client import Client, handle_file
    from playwright.sync_api import expect

    from tests.conftest import BROWSER_ARGS

    speech = load_audio_16k(str(EXAMPLES / "english.wav")).samples
    source = tmp_path / "microphone.wav"
    soundfile.write(str(source), np.concatenate([speech, speech, np.zeros(SAMPLE_RATE, np.float32)]), SAMPLE_RATE,
                    subtype="PCM_16")
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
        *BROWSER_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={source}%noloop"])
    try:
        context = browser.new_context()
        context.grant_permissions(["microphone"])
        page = context.new_page()
        page.goto(app_url)
        page.get_by_role("tab", name="Transcribe").click()
        page.get_by_text("Live captions from the microphone").click()
        mic = page.locator("#transcribe-live-mic")
        mic.get_by_role("button", name=re.compile("record", re.I)).first.click()
        text = page.locator("#transcribe-live-text textarea")
        expect(text).not_to_have_value("", timeout=30_000)  # the first piece loads the model; CI machines are slow
        first = text.input_value()
        page.wait_for_timeout(3000)
        assert len(text.input_value()) > len(first)  # it grew while the audio played
        mic.get_by_role("button", name=re.compile("stop", re.I)).first.click()
        link = page.locator("#transcribe-live-files a[href$='.wav']")
        expect(link).to_have_count(1, timeout=30_000)
        final = text.input_value()
        recording = urllib.parse.unquote(link.get_attribute("href").split("file=", 1)[1])
    finally:
        browser.close()
    received = load_audio_16k(recording).samples
    assert 1.0 < len(received) / SAMPLE_RATE < 30
    again, *_ = Client(app_url, verbose=False).predict(
        handle_file(recording), MMS_ASR_MODEL, "eng", api_name="/transcribe")
    assert final == again


def test_abandoned_streams_free_their_slots_for_the_next_visitor(app_url):
    """Four visitors send one piece each and leave (no more pieces, no Stop); they hold all four stream
    slots. The fifth visitor's first piece used to get no answer for ten minutes; the slots are freed
    after live.IDLE_SECONDS. Over HTTP, as the page does it (tests/live_client.py)."""
    import time

    from tests.live_client import LiveClient

    tone = (0.3 * np.sin(np.arange(48_000) * 2 * np.pi * 300 / 48_000)).astype(np.float32)
    for _ in range(4):
        gone = LiveClient(app_url)
        gone.start(MMS_ASR_MODEL, "eng")
        gone.send(tone, listen=False)
    visitor = LiveClient(app_url)
    visitor.start(MMS_ASR_MODEL, "eng")
    started = time.monotonic()
    visitor.send(tone)
    while not visitor.texts and time.monotonic() - started < live.IDLE_SECONDS + 30:
        time.sleep(0.2)
    assert visitor.texts, "the fifth visitor's piece got no answer"
    final = visitor.stop()
    assert final["data"][0] is not None and any(str(f["path"]).endswith(".wav") for f in final["data"][1])
