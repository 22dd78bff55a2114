"""The model registry: weights/manifest.json, each file checked against its sha256 and loaded once per process.

Adding a model takes a wrapper module (a class that runs the file), an entry in the manifest, and
one registry line beside the wrapper: `thing = register("thing", Thing.from_entry)`. Callers then
use `thing()`, which verifies and loads the file on first use and returns the same object after.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
T = TypeVar("T")


class ModelFileError(RuntimeError):
    """A model file is missing, corrupt, or not in the manifest."""


@dataclass(frozen=True)
class ModelEntry:
    """One model of the manifest: its checked file and everything recorded about it."""

    name: str
    path: Path
    sha256: str
    info: dict

    @property
    def classes(self) -> tuple[str, ...]:
        """The model's output classes in id order, as it was trained."""
        if not self.info.get("classes"):
            raise ModelFileError(f"model {self.name!r} has no classes in its manifest entry")
        return tuple(self.info["classes"])

    def calibrated(self, key: str) -> dict:
        """A threshold calibrated for this very file (e.g. "exact_match"); empty when none was."""
        return self.info.get(key) or {}


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


class ShippedModel(Generic[T]):
    """A manifest entry and the wrapper that runs it, loaded on the first call and reused after."""

    def __init__(self, name: str, load: Callable[[ModelEntry], T], weights_dir: Path = WEIGHTS_DIR):
        self.name = name
        self._load = load
        self._weights_dir = weights_dir
        self._model: T | None = None
        self._lock = threading.Lock()

    @property
    def entry(self) -> ModelEntry:
        """The verified manifest entry (a missing or corrupt file raises ModelFileError naming it)."""
        return verified_model(self.name, self._weights_dir)

    def __call__(self) -> T:
        with self._lock:  # two threads asking at once load the file once
            if self._model is None:
                self._model = self._load(self.entry)
            return self._model

    def forget(self) -> None:
        """Drop the loaded model, so the next call reads the file again (after a new one is shipped)."""
        with self._lock:
            self._model = None


REGISTRY: dict[str, ShippedModel] = {}


def register(name: str, load: Callable[[ModelEntry], T]) -> ShippedModel[T]:
    """The registry line of a model: its manifest name and how to load its wrapper."""
    if name in REGISTRY:
        raise ValueError(f"model {name!r} is registered twice")
    REGISTRY[name] = model = ShippedModel(name, load)
    return model


def loaded() -> list[dict]:
    """The models this process has loaded: name, file and its size in bytes (what benchmark_looks lists)."""
    return [
        {"name": m.name, "file": m.entry.path.name, "bytes": m.entry.path.stat().st_size}
        for m in REGISTRY.values()
        if m._model is not None
    ]


def forget_loaded() -> None:
    """Forget every checked entry and loaded model (a training command just shipped a new file)."""
    verified_model.cache_clear()
    for model in REGISTRY.values():
        model.forget()
