"""App start time and cold/warm model load times over the tiny models.

    .venv/bin/python -m benchmarks.startup
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    from tests.tiny_models import BUILDERS, build_all

    root = Path(tempfile.mkdtemp(prefix="polyglot-bench-"))
    started = time.perf_counter()
    os.environ["POLYGLOT_MODEL_PATHS"] = str(build_all(root))
    print(f"build all {len(BUILDERS)} tiny models: {time.perf_counter() - started:.2f} s")

    started = time.perf_counter()
    import app  # imports torch, transformers, gradio and builds the page

    imported = time.perf_counter()
    app.demo.queue().launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, ssr_mode=False)
    launched = time.perf_counter()
    print(f"app start: import + build page {imported - started:.2f} s, launch {launched - imported:.2f} s")
    app.demo.close()

    from modules.models import CATALOG, ModelCache, read_model_sources

    overrides = read_model_sources(os.environ["POLYGLOT_MODEL_PATHS"]).paths
    print(f"{'model':40s} {'cold load':>10s} {'warm get':>10s}")
    for model_id in BUILDERS:
        cache = ModelCache(overrides)
        task = CATALOG[model_id]
        started = time.perf_counter()
        cache.get(model_id, task)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(100):
            started = time.perf_counter()
            cache.get(model_id, task)
            warm.append(time.perf_counter() - started)
        print(f"{model_id:40s} {cold * 1000:8.1f} ms {statistics.median(warm) * 1e6:8.1f} µs")


if __name__ == "__main__":
    main()
