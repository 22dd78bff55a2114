"""The house rules, checked on the code itself: the one dependency direction and where heavy libraries live.

Imports between top-level packages run one way, shopthelook → scraper → catalog → embeddings →
detection (docs/architecture.md). training/ may import anything and nothing imports it; synthetic/
imports nothing of the app (it reads the taxonomy file) and only training/ imports it. torch, TensorFlow and the other
training libraries are imported in training/ alone, the web process loads neither LiteRT nor FAISS, and no
module outside migrations is over 300 lines.
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("shopthelook", "scraper", "catalog", "embeddings", "detection")  # each may import those after it
PACKAGES = (*LAYERS, "training", "synthetic")
HEAVY = ("torch", "torchvision", "tensorflow", "keras", "tf_keras", "ultralytics", "onnx", "onnx2tf", "onnxruntime")


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import in a file, inside functions too ("from a import b" is a.b)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def allowed(importer: str, module: str) -> bool:
    """Whether package `importer` may import `module` (a dotted name in another top-level package)."""
    target = module.split(".")[0]
    if importer == "training":
        return True
    if importer == "synthetic" or target in ("training", "synthetic"):
        return False
    return LAYERS.index(target) > LAYERS.index(importer)


def rule_breaks(root: Path) -> list[str]:
    """Every import under `root` that crosses the dependency rule, as "file:line imports module"."""
    breaks = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            for line, module in imports_of(path):
                target = module.split(".")[0]
                if target in PACKAGES and target != package and not allowed(package, module):
                    breaks.append(f"{path.relative_to(root)}:{line} imports {module}")
    return breaks


def heavy_imports(root: Path) -> list[str]:
    """Every import of a training library outside training/ (tests excluded)."""
    found = []
    for package in PACKAGES:
        if package == "training":
            continue
        for path in sorted((root / package).rglob("*.py")):
            for line, module in imports_of(path):
                if module.split(".")[0] in HEAVY:
                    found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


def test_imports_between_packages_follow_the_one_direction():
    assert rule_breaks(ROOT) == []


def test_only_training_imports_the_training_libraries():
    assert heavy_imports(ROOT) == []


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for package in PACKAGES:
        (root / package).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_rule_check_catches_an_upward_import_a_training_import_and_a_synthetic_import(tmp_path):
    # given a tree where a model module reaches up, a page reaches into training, and the scraper renders products
    tree = write_tree(
        tmp_path,
        {
            "detection/outfit.py": "from catalog.models import Product\n",
            "shopthelook/views.py": "def f():\n    from training.bench import photos\n",
            "scraper/service.py": "import synthetic.site\nfrom catalog.ingest import upsert_product\n",
            "synthetic/designs.py": "from .vocabulary import FILE\nfrom detection.taxonomy import ARTICLE_TYPES\n",
            "training/anything.py": "import shopthelook.models, synthetic.site, torch\n",
        },
    )

    # then each forbidden import is named, and the allowed ones are not
    assert rule_breaks(tree) == [
        "shopthelook/views.py:2 imports training.bench.photos",
        "scraper/service.py:1 imports synthetic.site",
        "detection/outfit.py:1 imports catalog.models.Product",
        "synthetic/designs.py:2 imports detection.taxonomy.ARTICLE_TYPES",
    ]


def test_the_heavy_import_check_catches_torch_outside_training(tmp_path):
    tree = write_tree(
        tmp_path,
        {
            "detection/models/embedder.py": "def f():\n    import tensorflow as tf\n",
            "detection/models/garments.py": "from ultralytics import YOLO\n",
            "training/detector.py": "import torch\n",
        },
    )

    assert heavy_imports(tree) == [
        "detection/models/embedder.py:2 imports tensorflow",
        "detection/models/garments.py:1 imports ultralytics.YOLO",
    ]


def loaded_modules(code: str) -> set[str]:
    """The modules (top-level names and dotted ones) a fresh Django process has loaded after running `code`."""
    script = (
        "import os, sys, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'shopthelook.settings.test'; django.setup(); "
        f"{code}; print(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    names = set(out.stdout.split())
    return names | {name.split(".")[0] for name in names}


def test_the_web_process_loads_neither_litert_nor_faiss():
    # every module a request can reach: the URL conf (pages, API, admin of every app) and the task senders
    loaded = loaded_modules(
        "import shopthelook.urls, shopthelook.looks, catalog.admin, scraper.admin, shopthelook.admin; "
        "from django.urls import get_resolver; get_resolver().url_patterns"
    )
    assert {"ai_edge_litert", "faiss"}.isdisjoint(loaded)
    assert "shopthelook" in loaded and "catalog" in loaded  # the check ran in a real Django process


def test_the_worker_loads_litert_but_no_training_library():
    loaded = loaded_modules(
        "import shopthelook.pipeline, catalog.search, catalog.product_vectors, scraper.service; "
        "from detection.models.garments import garment_detector; garment_detector()"
    )
    assert "ai_edge_litert" in loaded
    assert set(HEAVY).isdisjoint(loaded)
    # training/ is an installed app for its commands: Django loads its package and app config, nothing more
    assert {m for m in loaded if m.startswith("training")} == {"training", "training.apps"}
    assert "synthetic" not in loaded


MAX_MODULE_LINES = 300  # a module a newcomer reads in one sitting; migrations are Django's, not ours


def long_modules(root: Path) -> list[str]:
    """Every Python module of the project under `root` (migrations aside) longer than MAX_MODULE_LINES."""
    found = []
    paths = [*root.glob("*.py"), *(p for folder in (*PACKAGES, "tests") for p in (root / folder).rglob("*.py"))]
    for path in sorted(paths):
        if "migrations" in path.relative_to(root).parts:
            continue
        lines = len(path.read_text().splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{path.relative_to(root)}: {lines} lines")
    return found


def test_no_module_is_longer_than_a_sitting():
    assert long_modules(ROOT) == []


def test_the_length_check_names_a_long_module_and_skips_migrations(tmp_path):
    tree = write_tree(
        tmp_path,
        {
            "catalog/long.py": "x = 1\n" * (MAX_MODULE_LINES + 1),
            "catalog/migrations/0001_initial.py": "x = 1\n" * 500,
            "catalog/short.py": "x = 1\n" * MAX_MODULE_LINES,
        },
    )
    assert long_modules(tree) == [f"catalog/long.py: {MAX_MODULE_LINES + 1} lines"]
