"""A Hugging Face cache laid out exactly as `hf download` leaves it, filled with tiny models.

    HF_HOME/hub/models--facebook--mms-lid-126/
        blobs/<sha256 of the file>
        refs/main                      -> the commit id `main` points to
        snapshots/<commit>/<file>      -> symlink to ../../blobs/<sha256>

This is the layout huggingface_hub's `try_to_load_from_cache`, `resolve_revision` and
transformers' `from_pretrained(..., local_files_only=True)` read (huggingface_hub docs,
"Understand caching"), so the app loads these repos by their real ids with HF_HUB_OFFLINE=1.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def fake_commit(repo_id: str, label: str = "main") -> str:
    """A stable 40-hex commit id for a fixture revision (real commit ids can't be looked up here)."""
    return hashlib.sha1(f"{repo_id}@{label}".encode()).hexdigest()


def add_snapshot(
    hub_dir: Path, repo_id: str, source_dir: Path, commit: str, ref: str | None = "main", skip: tuple[str, ...] = ()
) -> Path:
    """Put every file of `source_dir` (except `skip`) into the cache as `repo_id` at `commit`; point `ref` at it."""
    repo_dir = hub_dir / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo_dir / "snapshots" / commit
    (repo_dir / "blobs").mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    for file in sorted(source_dir.rglob("*")):
        relative = file.relative_to(source_dir)
        if not file.is_file() or str(relative) in skip:
            continue
        data = file.read_bytes()
        blob = repo_dir / "blobs" / hashlib.sha256(data).hexdigest()
        if not blob.exists():
            blob.write_bytes(data)
        link = snapshot / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    if ref is not None:
        (repo_dir / "refs").mkdir(exist_ok=True)
        (repo_dir / "refs" / ref).write_text(commit)
    return snapshot
