"""modules/audio.py against real files in every format and channel layout, and against bad input."""

import subprocess

import numpy as np
import pytest
import soundfile

from modules import audio
from modules.audio import SAMPLE_RATE, load_audio_16k
from modules.config import UserInputError

SOURCE_SECONDS_TOLERANCE = 0.1  # MP3 and Opus encoders pad tens of ms


@pytest.mark.parametrize(
    "name, expected_note",
    [
        ("mono16k.wav", None),
        ("stereo44k.flac", "mixed 2 channels down to mono"),
        ("vorbis48k.ogg", "resampled from 48000 Hz"),
        ("speech.mp3", "resampled from 22050 Hz"),
        ("telephone8k.wav", "resampled from 8000 Hz"),
        ("eight96k.wav", "mixed 8 channels down to mono"),
        ("float32.wav", "resampled from 22050 Hz"),
        ("speech.opus", "resampled from 48000 Hz"),
    ],
)
def test_every_format_becomes_16k_mono_float32(speech_dir, name, expected_note):
    source_seconds = soundfile.info(str(speech_dir / "source.wav")).duration
    clip = load_audio_16k(str(speech_dir / name))
    assert clip.samples.dtype == np.float32
    assert clip.samples.ndim == 1
    assert abs(clip.seconds - source_seconds) < SOURCE_SECONDS_TOLERANCE
    assert np.abs(clip.samples).max() <= 1.0
    assert np.abs(clip.samples).max() > 0.05  # real speech survived
    if expected_note:
        assert any(expected_note in note for note in clip.notes), clip.notes
    else:
        assert clip.notes == []


def test_resampling_keeps_the_pitch():
    rate = 44100
    t = np.arange(rate) / rate
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    clip = load_audio_16k((rate, np.stack([tone, tone], axis=1).astype(np.float32)))
    spectrum = np.abs(np.fft.rfft(clip.samples))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / len(clip.samples)
    assert len(clip.samples) == SAMPLE_RATE
    assert abs(peak_hz - 440) < 2


def test_m4a_goes_through_ffmpeg(speech_dir):
    clip = load_audio_16k(str(speech_dir / "speech.m4a"))
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert clip.seconds > 1.0


def test_m4a_without_ffmpeg_says_so(speech_dir, monkeypatch):
    monkeypatch.setattr(audio.shutil, "which", lambda name: None)
    with pytest.raises(UserInputError, match="in a format this server can't read"):
        load_audio_16k(str(speech_dir / "speech.m4a"))


def test_gradio_microphone_tuple_int16_stereo():
    rate = 48000
    samples = np.zeros((rate, 2), dtype=np.int16)
    samples[:, 0] = (np.sin(np.linspace(0, 200, rate)) * 32767).astype(np.int16)
    samples[:, 1] = -32768
    clip = load_audio_16k((rate, samples))
    assert clip.samples.dtype == np.float32
    assert len(clip.samples) == SAMPLE_RATE
    assert -1.0 <= clip.samples.min() and clip.samples.max() <= 1.0
    assert "mixed 2 channels down to mono" in clip.notes


def test_int16_full_scale_maps_to_unit_range():
    samples = np.array([32767, -32768] * 8000, dtype=np.int16)
    clip = load_audio_16k((SAMPLE_RATE, samples))
    assert clip.samples.max() == pytest.approx(32767 / 32768)
    assert clip.samples.min() == -1.0
    assert clip.notes == []


def test_float_past_full_scale_is_scaled_and_said():
    samples = np.full(SAMPLE_RATE, 2.0, dtype=np.float32)
    samples[::2] = -4.0
    clip = load_audio_16k((SAMPLE_RATE, samples))
    assert np.abs(clip.samples).max() == pytest.approx(1.0)
    assert any("scaled down by 4.00x" in note for note in clip.notes)


@pytest.mark.parametrize(
    "make_source, message",
    [
        (lambda tmp: None, "No audio was given"),
        (lambda tmp: _write(tmp / "empty.wav", b""), "is empty"),
        (lambda tmp: _write(tmp / "notes.wav", b"this is a text file, not audio\n" * 20), "not audio that can be read"),
        (lambda tmp: str(tmp / "missing.wav"), "could not be found"),
        (lambda tmp: (SAMPLE_RATE, np.zeros(0, dtype=np.float32)), "empty"),
        (lambda tmp: (SAMPLE_RATE, np.zeros(SAMPLE_RATE, dtype=np.float32)), "silent"),
        (lambda tmp: (SAMPLE_RATE, np.array([0.5], dtype=np.float32)), "at least 100 ms"),
        (lambda tmp: (SAMPLE_RATE, np.array([0.1, np.nan] * 4000, dtype=np.float32)), "NaN or infinity"),
        (lambda tmp: (SAMPLE_RATE, np.array([0.1, np.inf] * 4000, dtype=np.float32)), "NaN or infinity"),
        (lambda tmp: (0, np.ones(100, dtype=np.float32)), "invalid sample rate"),
        (lambda tmp: "just a string".split(), "must be a file"),
    ],
)
def test_bad_input_gets_a_clear_message(tmp_path, make_source, message):
    with pytest.raises(UserInputError, match=message):
        load_audio_16k(make_source(tmp_path))


def test_too_long_is_refused_before_decoding(tmp_path):
    path = tmp_path / "long.wav"
    soundfile.write(str(path), np.full(SAMPLE_RATE * 30, 0.1, dtype=np.float32), SAMPLE_RATE)
    with pytest.raises(UserInputError, match=r"30\.0 s long; this tab accepts at most 20 s"):
        load_audio_16k(str(path), max_seconds=20)
    assert load_audio_16k(str(path), max_seconds=31).seconds == pytest.approx(30.0)


def test_nan_in_a_float_wav_file(tmp_path):
    path = tmp_path / "nan.wav"
    samples = np.full(SAMPLE_RATE, 0.1, dtype=np.float32)
    samples[100] = np.nan
    soundfile.write(str(path), samples, SAMPLE_RATE, subtype="FLOAT")
    with pytest.raises(UserInputError, match="NaN"):
        load_audio_16k(str(path))


def _write(path, payload: bytes) -> str:
    path.write_bytes(payload)
    return str(path)


def test_huge_but_finite_stereo_is_scaled_not_refused():
    samples = np.full((SAMPLE_RATE, 2), 3e38, dtype=np.float32)
    samples[::2] = -3e38
    clip = load_audio_16k((SAMPLE_RATE, samples))
    assert np.isfinite(clip.samples).all() and np.abs(clip.samples).max() == pytest.approx(1.0)
    assert any("scaled down" in note for note in clip.notes)


# -- bounded work: duration known before decoding, decoding stops at the limit -------------------------


def ffmpeg(*arguments: str) -> None:
    import subprocess

    subprocess.run(["ffmpeg", "-v", "error", "-y", *arguments], check=True)


def test_decoding_stops_at_the_limit_even_when_the_header_lies(speech_dir, monkeypatch, tmp_path):
    import soundfile

    from modules import audio

    long_file = tmp_path / "ninety-seconds.flac"
    sine = (0.3 * np.sin(np.arange(90 * 16000) / 10)).astype(np.float32)
    soundfile.write(str(long_file), sine, 16000)
    real_info = soundfile.info

    def lying_info(path):  # a header that claims 5 s
        info = real_info(path)
        info.frames = 5 * info.samplerate
        return info

    decoded = []
    real_read = soundfile.SoundFile.read

    def counting_read(self, *args, **kwargs):
        block = real_read(self, *args, **kwargs)
        decoded.append(len(block))
        return block

    monkeypatch.setattr(audio.soundfile, "info", lying_info)
    monkeypatch.setattr(audio.soundfile.SoundFile, "read", counting_read)
    with pytest.raises(UserInputError, match="this tab accepts at most 30 s"):
        audio.load_audio_16k(str(long_file), max_seconds=30)
    assert sum(decoded) <= 30 * 16000 + audio.BLOCK_FRAMES  # never the whole 90 s


def test_a_compressed_long_file_is_refused_before_decoding(tmp_path, monkeypatch):
    from modules import audio

    bomb = tmp_path / "two-minutes-of-silence.webm"  # Opus: ~2 KB a second of silence
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "120", "-c:a", "libopus", "-b:a", "6k", str(bomb))
    started = []
    real_popen = audio.subprocess.Popen
    monkeypatch.setattr(audio.subprocess, "Popen", lambda *a, **k: started.append(a) or real_popen(*a, **k))
    with pytest.raises(UserInputError, match="120.0 s long; this tab accepts at most 30 s"):
        audio.load_audio_16k(str(bomb), max_seconds=30)
    assert [command[0][0] for command in started] == ["ffprobe"]  # it read the duration; ffmpeg never decoded



def test_a_file_without_a_duration_is_read_up_to_the_limit_and_said_so(tmp_path, monkeypatch):
    """A WebM written to a pipe has no duration in its header, as browsers' MediaRecorder writes it: ffmpeg
    stops at the limit (samples decoded, not the file's length), and the message doesn't pretend to know
    its length ("600.0 s long" was said of a longer recording)."""
    from modules import audio

    wav, live = tmp_path / "tone.wav", tmp_path / "recording.webm"
    subprocess.run(["sox", "-n", "-r", "16000", str(wav), "synth", "45", "sine", "300"], check=True)
    with open(live, "wb") as sink:  # written to a pipe: no duration, no cues
        subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(wav), "-c:a", "libopus", "-ar", "48000", "-f", "webm",
                        "pipe:1"], stdout=sink, check=True)
    assert audio.probe(str(live)).seconds is None and audio.probe(str(live)).rate == 48000
    added = []
    real_add = audio._Converter.add
    monkeypatch.setattr(audio._Converter, "add", lambda self, block: added.append(len(block)) or real_add(self, block))
    with pytest.raises(UserInputError, match=r"The audio is longer than 30 s \(its file doesn't say how long it is"):
        audio.load_audio_16k(str(live), max_seconds=30)
    assert 30 * 16000 < sum(added) <= 30.01 * 16000
    # Under the limit, its true length comes from the decode.
    assert audio.load_audio_16k(str(live), max_seconds=60).seconds == pytest.approx(45, abs=0.05)


def test_a_phone_video_is_heard_and_a_silent_video_is_named(tmp_path):
    from modules.audio import load_audio_16k

    video = tmp_path / "phone.mp4"  # MP4 as most tools write it: the index at the end
    ffmpeg("-f", "lavfi", "-i", "sine=f=440:r=16000", "-t", "3", "-f", "lavfi", "-i", "color=c=blue:s=64x64:r=10",
           "-t", "3", "-shortest", "-c:v", "libx264", "-c:a", "aac", str(video))
    clip = load_audio_16k(str(video), max_seconds=60)
    assert abs(clip.seconds - 3.0) < 0.1 and clip.samples.std() > 0.05  # ffmpeg's sine is at 1/8 of full scale
    silent = tmp_path / "screen.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=64x64:r=10", "-t", "2", "-c:v", "libx264", str(silent))
    with pytest.raises(UserInputError, match=r"The file screen.mp4 has no audio track \(it holds video\)"):
        load_audio_16k(str(silent), max_seconds=60)


def test_an_image_is_not_audio(tmp_path):
    from modules.audio import load_audio_16k

    image = tmp_path / "photo.png"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=32x32", "-frames:v", "1", str(image))
    with pytest.raises(UserInputError, match="The file photo.png (is not audio that can be read|has no audio track)"):
        load_audio_16k(str(image), max_seconds=60)


# -- Issue 20: nothing lost on the way in, nothing read but the upload ---------------------------------------


def sox(*arguments):
    subprocess.run(["sox", *map(str, arguments)], check=True, capture_output=True)


@pytest.mark.parametrize("suffix", [".mp3", ".wav"])
def test_a_loud_recording_that_needs_resampling_is_decoded_whole(tmp_path, suffix):
    """Past full scale and not at 16 kHz: read once for the peak and once to convert. The passes used to share
    one frame count, so the second stopped early: a loud 400 s MP3 came back as 198.5 s, a 500 s float WAV as
    "empty". Here 20 s under a 30 s limit (the same arithmetic, smaller): a clipped square wave as an MP3
    (its decoder overshoots to ~1.3, as on the issue's file), a float WAV at 1.3."""
    loud = tmp_path / f"loud{suffix}"
    if suffix == ".mp3":
        square = tmp_path / "square.wav"
        sox("-n", "-r", "44100", square, "synth", "20", "square", "300", "vol", "0.99")
        subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(square), str(loud)], check=True)
    else:
        time = np.arange(20 * 44100) / 44100
        soundfile.write(str(loud), (1.3 * np.sin(2 * np.pi * 300 * time)).astype(np.float32), 44100, subtype="FLOAT")
    peak = float(np.abs(soundfile.read(str(loud), dtype="float32")[0]).max())
    assert peak > 1.1, "the file must hold samples past full scale"
    clip = load_audio_16k(str(loud), max_seconds=30)
    assert clip.seconds == pytest.approx(20, abs=0.1)
    assert np.abs(clip.samples).max() <= 1.0 and any("scaled down" in note for note in clip.notes)


@pytest.mark.parametrize("container, codec", [("m4a", "aac"), ("webm", "libopus")])
def test_a_phone_or_browser_recording_at_8k_is_said_to_be_below_16k(tmp_path, container, codec):
    """ffmpeg converts m4a and webm to 16 kHz itself; the recording's own rate comes from ffprobe, so the
    warning is the same as for the WAV."""
    wav = tmp_path / "phone.wav"
    sox("-n", "-r", "8000", wav, "synth", "3", "sine", "300", "vol", "0.5")
    compressed = tmp_path / f"phone.{container}"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(wav), "-c:a", codec, "-ar", "8000" if codec == "aac" else "48000",
                    str(compressed)], check=True)
    expected_rate = 8000 if codec == "aac" else 48000  # Opus has no 8 kHz: the encoder's input rate is what it keeps
    clip = load_audio_16k(str(compressed))
    assert audio.probe(str(compressed)).rate == expected_rate
    if expected_rate < SAMPLE_RATE:
        assert any("recorded at 8,000 Hz" in warning for warning in clip.warnings)
        assert f"resampled from 8000 Hz to {SAMPLE_RATE} Hz" in clip.notes
    assert load_audio_16k(str(wav)).warnings == [w for w in clip.warnings] or expected_rate >= SAMPLE_RATE


def test_real_8k_recordings_in_phone_and_browser_formats_warn():
    """../shared/real-audio: osr_8k.m4a is 8 kHz AAC (OSR telephone speech)."""
    from pathlib import Path

    real = Path(__file__).resolve().parents[2] / "shared" / "real-audio" / "osr_8k.m4a"
    if not real.is_file():
        pytest.skip("../shared/real-audio is not beside this checkout")
    assert any("recorded at 8,000 Hz" in warning for warning in load_audio_16k(str(real)).warnings)


def _serve(directory):
    """A local HTTP server that records every path asked for (the address an attack would point at)."""
    import functools
    import http.server
    import threading

    asked = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            asked.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, asked


@pytest.mark.parametrize("name", ["local.m3u8", "local.m4a", "list.ffconcat", "list.wav"])
def test_a_playlist_or_list_pointing_elsewhere_is_not_followed(tmp_path, name):
    """ffprobe and ffmpeg open the upload and nothing else: an HLS playlist or an ffconcat list that points at
    a file elsewhere on the server, or at 127.0.0.1, is refused, whatever its name says (ffmpeg probes the
    content); before, the playlist's segment was decoded and identified."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    wav, segment = elsewhere / "secret.wav", elsewhere / "secret.ts"
    sox("-n", "-r", "16000", wav, "synth", "3", "sine", "300", "vol", "0.5")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(wav), "-c:a", "aac", "-f", "mpegts", str(segment)], check=True)
    server, asked = _serve(elsewhere)
    upload = tmp_path / "uploads" / name
    upload.parent.mkdir()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/secret.ts"
        for target in (f"file://{segment}", str(segment), url):
            if name.startswith("local"):
                upload.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:3.0,\n{target}\n#EXT-X-ENDLIST\n")
            else:
                upload.write_text(f"ffconcat version 1.0\nfile '{wav if target == url else target}'\n")
            with pytest.raises(UserInputError, match=f"The file {name} is not audio that can be read"):
                load_audio_16k(str(upload))
        assert asked == []  # not even a request reached the local server
        # The attack is real: ffmpeg as the app called it before follows the playlist to the server's file.
        upload.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:3.0,\nfile://{segment}\n#EXT-X-ENDLIST\n")
        followed = subprocess.run(["ffmpeg", "-v", "error", "-i", str(upload), "-f", "f32le", "pipe:1"], capture_output=True)
        assert len(followed.stdout) > 16000 * 4 if name.startswith("local") else True
    finally:
        server.shutdown()


def test_a_headerless_raw_file_gets_a_message(tmp_path):
    raw = tmp_path / "recording.raw"
    raw.write_bytes(np.random.default_rng(0).bytes(32000))
    with pytest.raises(UserInputError, match="The file recording.raw is not audio that can be read. Accepted:"):
        load_audio_16k(str(raw))
