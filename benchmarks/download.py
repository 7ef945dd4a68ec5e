"""Time to first result on a cold cache (download + load + run) vs a warm disk cache (load + run) vs a model in
memory (run), through `python app.py` and gradio_client, downloading the tiny repos from a Hub-compatible server
on 127.0.0.1 (tests/hub_server.py: olah, `.venv-hub`). The tiny repos are ~0.1 MB, so the cold figure is the
download path's own overhead (file listing, one HEAD and one GET per file, the disk check), not bandwidth.

    .venv/bin/python -m benchmarks.download
"""

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPEATS = 3


def main() -> None:
    from gradio_client import handle_file

    from modules.downloads import model_files
    from tests.conftest import REPO_ROOT, app_process
    from tests.hub_server import HubServer
    from tests.tiny_models import BUILDERS

    root = Path(tempfile.mkdtemp(prefix="polyglot-bench-download-"))
    voices = [f"facebook/mms-tts-{lang}" for lang in ("fra", "ron", "rus")]
    served = ["facebook/mms-1b-all", "facebook/mms-lid-126", *voices]
    hub = HubServer(root / "server")
    sizes = {}
    for model_id in served:
        source = root / "built" / model_id.replace("/", "__")
        BUILDERS[model_id](source)
        hub.repo(model_id).commit(source, "Upload the model")
        listing = {f.name: f.stat().st_size for f in source.iterdir()}
        # What the app fetches of it: not the .bin beside the safetensors, not mms-1b-all's other adapters.
        sizes[model_id] = sum(listing[name] for name in model_files(listing, lambda name: {}))
    hub.start()
    env = {"HF_HOME": str(root / "home"), "HF_HUB_CACHE": str(root / "home" / "hub"), "HF_ENDPOINT": hub.front.url,
           "HF_HUB_OFFLINE": None, "POLYGLOT_MODEL_PATHS": None,
           # One model in memory at a time: using another evicts it, so its next use loads from the disk cache.
           "POLYGLOT_CACHE_BUDGET_GB": "0.0001"}
    english = handle_file(str(REPO_ROOT / "examples" / "english.wav"))
    try:
        with app_process(env, root / "server.log") as client:
            def timed(call) -> float:
                started = time.perf_counter()
                call()
                return time.perf_counter() - started

            def evict() -> None:
                client.predict(english, "facebook/mms-lid-126", 3, api_name="/identify")

            print(f"{'first result':36s} {'cold (download)':>16s} {'warm disk':>10s} {'in memory':>10s}  ratio cold/warm")
            rows = []
            for voice in voices:
                language = voice.rsplit("-", 1)[1]
                cold = timed(lambda: client.predict("Hello there", language, 0, api_name="/speak"))
                hot = timed(lambda: client.predict("Hello there", language, 0, api_name="/speak"))
                evict()
                warm = timed(lambda: client.predict("Hello there", language, 0, api_name="/speak"))
                rows.append((f"Speak, {voice} ({sizes[voice] / 1e3:.0f} kB)", cold, warm, hot))
            for language in ("fra", "deu", "spa"):
                cold = timed(lambda: client.predict(english, "facebook/mms-1b-all", language, api_name="/transcribe"))
                hot = timed(lambda: client.predict(english, "facebook/mms-1b-all", language, api_name="/transcribe"))
                rows.append((f"Transcribe, mms-1b-all adapter {language}", cold, float("nan"), hot))
            for label, cold, warm, hot in rows:
                measured = warm == warm  # NaN: not measured
                ratio = f"{cold / warm:.1f}x" if measured else "-"
                warm_text = f"{warm:8.2f} s" if measured else f"{'-':>10s}"
                print(f"{label:36s} {cold:14.2f} s {warm_text} {hot:8.2f} s  {ratio}")
            print(f"(the first Transcribe row also downloads mms-1b-all itself, {sizes['facebook/mms-1b-all'] / 1e3:.0f} kB; "
                  "the others only an adapter, ~9 kB)")
            fetched = hub.front.asked("GET", "/resolve/")
            print(f"files fetched from the server: {len(fetched)}, requests in all: {len(hub.front.requests)}")
    finally:
        hub.stop()


if __name__ == "__main__":
    main()
