"""The model files in weights/: found through manifest.json and checked against its sha256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WEIGHTS_DIR = Path(__file__).resolve().parent.parent.parent / "weights"


class ModelFileError(RuntimeError):
    """A model file is missing, corrupt, or not in the manifest."""


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path
    sha256: str
    info: dict


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(weights_dir: Path = WEIGHTS_DIR) -> dict:
    path = weights_dir / "manifest.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ModelFileError(f"{path} is missing") from exc
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path} is not valid JSON: {exc}") from exc


@lru_cache(maxsize=16)
def verified_model(name: str, weights_dir: Path = WEIGHTS_DIR) -> ModelEntry:
    """The manifest entry `name`, after checking its file exists and matches its sha256."""
    models = read_manifest(weights_dir).get("models", {})
    if name not in models:
        raise ModelFileError(f"model {name!r} is not in {weights_dir / 'manifest.json'}")
    info = models[name]
    path = weights_dir / info["file"]
    if not path.is_file():
        raise ModelFileError(f"model file {path} is missing (see {weights_dir / 'manifest.json'})")
    actual = sha256_of(path)
    if actual != info["sha256"]:
        raise ModelFileError(f"model file {path} is corrupt: sha256 {actual[:12]}… != manifest {info['sha256'][:12]}…")
    return ModelEntry(name, path, info["sha256"], info)
