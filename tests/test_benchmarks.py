"""The GPU benchmark can't run here for real; run it on the CPU with tiny models so it stays working."""

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_gpu_benchmark_runs_end_to_end_on_cpu_with_tiny_models():
    command = [sys.executable, "-m", "benchmarks.gpu", "--device", "cpu", "--tiny", "--repeats", "1"]
    output = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=300).stdout
    assert "device: cpu, dtype: torch.float32, models: tiny" in output
    for model_id in ("mms-lid-126", "mms-1b-all", "mms-tts-eng", "seamless-m4t-v2-large"):
        assert f"facebook/{model_id}" in output
    assert "MMS adapter switch:" in output
    # five tabs; 10 min one chunk at a time and batched; Omnilingual CTC and MMS on 10 s and 10 min
    assert output.count("real-time factor") == 11
    assert "8 sentences of speech" in output and "8 per forward:" in output
