"""The real recordings of ../shared/real-audio (public repositories' test data; sources in its SOURCES.md):
every file through decoding (durations equal ffmpeg's own decode), the speech check (real speech never
refused; noise refused) and many files at once. Skipped where ../shared is not beside the checkout."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from modules import batch, vad
from modules.audio import SAMPLE_RATE, load_audio_16k
from modules.config import UserInputError
from tests.conftest import REPO_ROOT

REAL_AUDIO = REPO_ROOT.parent / "shared" / "real-audio"
FILES = sorted(path.name for path in REAL_AUDIO.glob("*") if path.is_file() and path.suffix != ".md")
# What the app must say of the files that hold no usable audio (checked by ear/by header in SOURCES.md).
REFUSED = {
    "pydub_test1_empty.wav": "The audio is empty (no samples).",
}
# Real speech: never refused by the speech check (lang_* LibriVox / Common Voice / WLI, LJ Speech, JFK, telephone).
SPEECH = [name for name in FILES if name.startswith(("lang_", "derived_", "osr_", "mediarecorder_", "silero_de",
          "silero_es", "silero_ru", "silero_en_num", "sb_spk", "sb_LJ", "whisper_jfk", "pra_german", "pra_arctic"))]
NOT_SPEECH = ["sb_noise1.wav", "sb_noise3.wav", "sb_esc50_thunderstorm.wav", "sb_esc50_birds.wav"]

pytestmark = pytest.mark.skipif(not REAL_AUDIO.is_dir(), reason="../shared/real-audio is not beside this checkout")


def ffmpeg_seconds(path: Path) -> float:
    """The duration ffmpeg itself decodes (16 kHz mono float samples counted)."""
    decoded = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le",
                              "pipe:1"], capture_output=True, check=True).stdout
    return len(decoded) / 4 / SAMPLE_RATE


def test_the_corpus_is_there():
    assert len(FILES) >= 70 and len(SPEECH) >= 25


@pytest.mark.parametrize("name", FILES)
def test_every_real_file_decodes_to_ffmpegs_duration(name):
    path = REAL_AUDIO / name
    if name in REFUSED:
        with pytest.raises(UserInputError, match=re.escape(REFUSED[name])):
            load_audio_16k(str(path))
        return
    clip = load_audio_16k(str(path))
    assert clip.samples.dtype == np.float32 and np.abs(clip.samples).max() <= 1.0
    assert clip.seconds == pytest.approx(ffmpeg_seconds(path), abs=0.03), name


@pytest.mark.parametrize("name", SPEECH)
def test_real_speech_is_never_refused_by_the_speech_check(name):
    vad.require_speech(load_audio_16k(str(REAL_AUDIO / name)).samples)


@pytest.mark.parametrize("name", NOT_SPEECH)
def test_noise_and_nature_are_refused(name):
    with pytest.raises(UserInputError, match="No speech was found"):
        vad.require_speech(load_audio_16k(str(REAL_AUDIO / name)).samples)


def test_many_real_files_at_once(cache, tmp_path):
    """A .zip of real files in every container, and loose ones: one row each, durations as decoded, the empty
    file's reason in its row, and the noise's."""
    chosen = ["derived_LJ_aac.m4a", "derived_spa_chrome.webm", "derived_osr_mulaw8k.wav", "derived_de_gsm.wav",
              "whisper_jfk.flac", "derived_fra_vorbis.ogg", "pydub_test1_empty.wav", "sb_noise1.wav"]
    archive = tmp_path / "real.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for name in chosen:
            bundle.write(REAL_AUDIO / name, f"calls/{name}")
    items = batch.unpack([archive, REAL_AUDIO / "lang_fra_librivox.wav"], tmp_path / "unpacked")
    rows = batch.run(items, batch.IDENTIFY, "facebook/mms-lid-126", cache=cache)
    assert [row.file for row in rows] == [f"real.zip/calls/{name}" for name in chosen] + ["lang_fra_librivox.wav"]
    by_name = {Path(row.file).name: row for row in rows}
    for name, row in by_name.items():
        if name == "pydub_test1_empty.wav":
            assert row.error == "The audio is empty (no samples)." and row.seconds is None
        elif name == "sb_noise1.wav":
            assert row.error.startswith("No speech was found")
        else:
            assert not row.error and row.language and row.seconds == pytest.approx(ffmpeg_seconds(REAL_AUDIO / name), abs=0.03)
