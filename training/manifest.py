"""Record a trained model in weights/manifest.json: file, sha256, input size, classes, metrics, recipe."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from detection.registry import WEIGHTS_DIR, forget_loaded, sha256_of


def ship_model(name: str, source: Path, file_name: str, info: dict, weights_dir: Path = WEIGHTS_DIR) -> dict:
    """Copy `source` into weights/ and write its manifest entry; both land or neither does."""
    weights_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = weights_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"version": 1, "models": {}}
    target = weights_dir / file_name
    staged = target.with_suffix(target.suffix + ".tmp")
    shutil.copy(source, staged)
    entry = {
        "file": file_name,
        "sha256": sha256_of(staged),
        "bytes": staged.stat().st_size,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        **info,
    }
    manifest.setdefault("models", {})[name] = entry
    fd, tmp_manifest = tempfile.mkstemp(dir=weights_dir, prefix=".manifest-")
    with os.fdopen(fd, "w") as fh:
        json.dump(manifest, fh, indent=2, sort_keys=True)
        fh.write("\n")
    os.chmod(tmp_manifest, 0o644)  # mkstemp makes it private; the manifest is read by every process
    os.replace(staged, target)
    os.replace(tmp_manifest, manifest_path)
    forget_loaded()
    return entry


def annotate_model(name: str, key: str, value: dict, weights_dir: Path = WEIGHTS_DIR) -> None:
    """Add or replace one field of a shipped model's manifest entry (its file is untouched)."""
    manifest_path = weights_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["models"][name][key] = value
    fd, tmp_manifest = tempfile.mkstemp(dir=weights_dir, prefix=".manifest-")
    with os.fdopen(fd, "w") as fh:
        json.dump(manifest, fh, indent=2, sort_keys=True)
        fh.write("\n")
    os.chmod(tmp_manifest, 0o644)
    os.replace(tmp_manifest, manifest_path)
    forget_loaded()
