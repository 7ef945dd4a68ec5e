"""Live captions over HTTP as the page drives them (Gradio 6's streaming protocol): start a recording, send
microphone pieces as WAV uploads to one streaming event, stop. Used by the tests and the soak
(benchmarks/load.py); gradio_client can't send a stream.

The page's three events on the microphone (`start_recording`, `stream`, `stop_recording`) are found in the
app's /config by the microphone's elem_id; the session's gr.State stays on the server, so the page sends None
in its place.
"""

from __future__ import annotations

import io
import json
import threading
import uuid

import httpx
import numpy as np
import soundfile

MIC = "transcribe-live-mic"


class LiveClient:
    def __init__(self, url: str, http: httpx.Client | None = None):
        self.api = url.rstrip("/") + "/gradio_api"
        self.http = http or httpx.Client(timeout=60)
        self.session = uuid.uuid4().hex[:12]
        config = self.http.get(url.rstrip("/") + "/config").json()
        self.mic = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == MIC)
        events = {target[1]: dep["id"] for dep in config["dependencies"] for target in dep["targets"] if target[0] == self.mic}
        self.start_id, self.stream_id, self.stop_id = events["start_recording"], events["stream"], events["stop_recording"]
        self.stream_event: str | None = None
        self.texts: list[str] = []
        self._listener: threading.Thread | None = None

    def _join(self, fn_index: int, data: list) -> str:
        answer = self.http.post(f"{self.api}/queue/join", json={
            "data": data, "fn_index": fn_index, "session_hash": self.session, "trigger_id": self.mic, "event_data": None})
        answer.raise_for_status()
        return answer.json()["event_id"]

    def _messages(self, event_id: str, on_message) -> None:
        """The server's messages about `event_id` until it completes (Server-Sent Events)."""
        with self.http.stream("GET", f"{self.api}/queue/data", params={"session_hash": self.session}, timeout=None) as answer:
            for line in answer.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") not in (event_id, None):
                    continue
                on_message(message)
                if message.get("msg") in ("process_completed", "close_stream"):
                    return

    def _call(self, fn_index: int, data: list, timeout: float = 60) -> dict:
        event_id = self._join(fn_index, data)
        done = []
        listener = threading.Thread(target=self._messages, args=(event_id, done.append), daemon=True)
        listener.start()
        listener.join(timeout)
        completed = [m for m in done if m.get("msg") == "process_completed"]
        if not completed:
            raise TimeoutError(f"no answer within {timeout} s")
        return completed[-1]

    def _piece(self, samples: np.ndarray, rate: int) -> dict:
        wav = io.BytesIO()
        soundfile.write(wav, samples, rate, format="WAV", subtype="PCM_16")
        path = self.http.post(f"{self.api}/upload", files={"files": ("audio.wav", wav.getvalue(), "audio/wav")}).json()[0]
        return {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "audio.wav"}

    def start(self, model_id: str, language: str) -> dict:
        return self._call(self.start_id, [model_id, language, None])

    def send(self, samples: np.ndarray, rate: int = 48_000, listen: bool = True) -> None:
        """One microphone piece; the first opens the stream (and, with `listen`, collects the texts)."""
        piece = self._piece(samples, rate)
        if self.stream_event is None:
            self.stream_event = self._join(self.stream_id, [piece, None])
            if listen:
                def text(message):
                    output = message.get("output") or {}
                    if message.get("msg") in ("process_streaming", "process_completed") and output.get("data"):
                        self.texts.append(output["data"][1])

                self._listener = threading.Thread(target=self._messages, args=(self.stream_event, text), daemon=True)
                self._listener.start()
            return
        self.http.post(f"{self.api}/stream/{self.stream_event}", json={
            "data": [piece, None], "fn_index": self.stream_id, "session_hash": self.session, "trigger_id": self.mic,
            "event_data": None}).raise_for_status()

    def stop(self) -> dict:
        """Close the stream and stop recording: the final transcript and its files."""
        if self.stream_event is not None:
            self.http.post(f"{self.api}/stream/{self.stream_event}/close")
            if self._listener is not None:
                self._listener.join(30)
        return self._call(self.stop_id, [None, 42, 2, 7.0, 0.0, 0.0])["output"]  # the page sends every cue setting
