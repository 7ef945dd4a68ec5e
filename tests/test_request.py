"""Issue 20's structure: a request's files go with it on every exit, one budget bounds the whole request before
the work, and a model in use is never evicted (nor loaded twice)."""

from __future__ import annotations

import contextvars
import logging
import threading
import zipfile
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from modules import compare, request
from modules.config import UserInputError
from modules.models import ENGLISH_ASR_MODEL, MMS_ASR_MODEL


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def test_a_scope_removes_its_files_on_every_exit(tmp_path):
    outputs_root = tmp_path / "served"
    # An error: scratch and outputs go.
    with pytest.raises(UserInputError):
        with request.scope(outputs_root) as scope:
            (scope.scratch("unpacked") / "member.wav").write_bytes(b"x")
            (scope.outputs() / "result.csv").write_text("a")
            raise UserInputError("refused")
    assert files_under(scope.folder) == [] and files_under(outputs_root) == []
    # Success: only the outputs named in the result stay; the scratch goes.
    with request.scope(outputs_root) as scope:
        kept = scope.outputs() / "kept.txt"
        kept.write_text("a")
        (scope.outputs() / "forgotten.txt").write_text("b")
        (scope.scratch() / "converted.wav").write_bytes(b"x")
        result = ("text", [str(kept)])
        scope.hand_over(result)
    assert files_under(outputs_root) == [kept] and not scope.folder.exists()
    # A stopped request (a cancelled one stops at its next step) is an exit like any other. In a context of its
    # own, as ui/common.stoppable runs a request: the stop signal must not reach this test's later work.
    stopped = threading.Event()
    stopped.set()

    def stopped_request():
        with request.scope(outputs_root) as scope:
            (scope.scratch() / "part.wav").write_bytes(b"x")
            request.stop_when(stopped)
            try:
                request.check_stopped()
            finally:
                folders.append(scope.folder)

    folders = []
    with pytest.raises(request.Stopped):
        contextvars.copy_context().run(stopped_request)
    assert not folders[0].exists()
    request.check_stopped()  # nothing stops here


def test_a_dead_process_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("POLYGLOT_WORK_DIR", str(tmp_path))
    monkeypatch.setattr(request, "_root", None)
    leftover = tmp_path / "999999999-deadbeef" / "request-x"
    leftover.mkdir(parents=True)
    (leftover / "member.wav").write_bytes(b"x")
    root = request.work_root()
    assert root.parent == tmp_path and not leftover.exists()
    monkeypatch.setattr(request, "_root", None)


def test_the_budget_is_spent_across_the_request():
    budget = request.Budget(files=3, seconds=10.0, files_rule="at most 3 are accepted", seconds_rule="10 s in all")
    budget.spend_files(2, "2 files")
    with pytest.raises(request.BudgetExceeded, match="^2 more files; at most 3 are accepted.$"):
        budget.spend_files(2, "2 more files")
    budget.spend_seconds(6.0, "a")
    assert budget.seconds_left() == 4.0
    with pytest.raises(request.BudgetExceeded, match="10 s in all"):
        budget.spend_seconds(5.0, "Not processed")


def test_a_test_set_over_the_compare_limit_is_refused_before_any_decoding(cache, speech_dir, tmp_path, monkeypatch):
    """The limit used to be checked after every clip was decoded (an hour decoded, then refused)."""
    monkeypatch.setenv("POLYGLOT_MAX_COMPARE_SECONDS", "10")
    for name in ("a.wav", "b.wav"):
        (tmp_path / name).write_bytes((speech_dir / "mono16k.wav").read_bytes())
    (tmp_path / "refs.tsv").write_text("a.wav\ttesting one\nb.wav\ttesting two\n", encoding="utf-8")
    clips = compare.read_test_set([tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "refs.tsv"], tmp_path / "w")
    decoded = []
    monkeypatch.setattr(compare, "load_audio_16k", lambda *args, **kwargs: decoded.append(args))
    with pytest.raises(UserInputError, match=r"Comparing \d models on \d s of audio is more listening than this server "
                                             r"does in one request \(10 s\)"):
        compare.score_test_set(clips, "eng", cache=cache)
    assert decoded == [] and cache.loaded_ids() == []


def test_a_model_in_use_is_never_evicted_nor_loaded_twice(cache, caplog):
    """A 1-byte budget: every load is over it. While one request holds MMS, another loads the English model;
    MMS stays (it was evicted before, and the next request loaded a second copy beside the one in use)."""
    cache.budget_bytes = 1
    holding, release, done = threading.Event(), threading.Event(), threading.Event()
    first = {}

    def long_request():
        with request.scope():
            first["entry"] = cache.get(MMS_ASR_MODEL, "ctc")
            holding.set()
            release.wait(30)
        done.set()

    threading.Thread(target=long_request).start()
    assert holding.wait(30)
    with caplog.at_level(logging.WARNING, logger="modules.models"):
        with request.scope():
            cache.get(ENGLISH_ASR_MODEL, "ctc")
            assert cache.loaded_ids() == [MMS_ASR_MODEL, ENGLISH_ASR_MODEL]
            assert cache.get(MMS_ASR_MODEL, "ctc") is first["entry"]  # the same copy, not a second one
    assert ("every loaded model is in use by a running request or was just loaded (facebook/mms-1b-all, "
            "facebook/wav2vec2-base-960h)") in caplog.text
    assert cache.load_counts[MMS_ASR_MODEL] == 1 and cache.pinned_ids() == [MMS_ASR_MODEL]
    release.set()
    assert done.wait(30)
    assert cache.pinned_ids() == [] and len(cache.loaded_ids()) == 1  # back under the budget as far as it can


def request_files(uploaded: str) -> set[Path]:
    """Every file in the request folders and in folders of Gradio's temp dir, but the uploads themselves
    (Gradio's: its multipart temp files at the top, moved in the background, and the uploaded copies)."""
    from gradio.utils import get_upload_folder

    top = Path(get_upload_folder())
    found = files_under(request.work_root()) + [path for path in files_under(top) if path.parent != top]
    return {path for path in found if path.name != uploaded}


def test_failed_requests_leave_no_files(app_url, speech_dir, tmp_path):
    """Two refused test sets used to leave their unpacked clips behind (7 files); a refused many-files request
    too. Outputs of successful requests are Gradio's to delete; nothing else of a request stays."""
    archive = tmp_path / "set.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(speech_dir / "mono16k.wav", "a.wav")
        bundle.write(speech_dir / "stereo44k.flac", "b.flac")
        bundle.writestr("refs.tsv", "a.wav\ttesting one\nb.flac\tthe audio\n")
    client = Client(app_url, verbose=False)
    before = request_files(archive.name)
    for language in ("xx", "auto"):
        with pytest.raises(AppError):
            client.predict([handle_file(str(archive))], language, api_name="/score_test_set")
    with pytest.raises(AppError, match="holds 3 files"):
        client.predict([handle_file(str(archive))] * 17, "facebook/mms-lid-126", True, api_name="/identify_files")
    assert request_files(archive.name) - before == set()
