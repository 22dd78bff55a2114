"""The synthetic lookbook: scenes written as a YOLO dataset and as Shop-The-Look style pairs.

Products are split by family (a design and its near-duplicates), so test scenes show products
whose whole family was never seen in training.

Layout under the output folder:
  yolo/images/{train,val,test}/*.jpg, yolo/labels/{split}/*.txt, yolo/data.yaml
  pairs/{split}.jsonl     {"scene", "product", "bbox": [left, top, right, bottom] normalised}
  scenes/{split}.jsonl    every box with its class and product id, the gender, the pose, whether the stylist dressed it
  products/<id>/<view>.jpg  the catalog photos; products/catalog.jsonl their metadata
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from multiprocessing import Pool
from pathlib import Path

from .designs import DemoProduct, generate_catalog
from .figure import Outfit
from .scenes import Scene, render_scene
from .stylist import random_outfit, styled_outfit
from .views import view_jpeg
from .vocabulary import DETECTOR_CLASSES

SPLITS = ("train", "val", "test")
CLASSES = DETECTOR_CLASSES  # YOLO label ids, as the detector is trained and shipped with them


@dataclass(frozen=True)
class LookbookConfig:
    scenes: dict[str, int]  # scenes per split
    n_products: int = 600
    seed: int = 7
    width: int = 480
    height: int = 640
    split_fractions: tuple[float, float, float] = (0.7, 0.1, 0.2)
    # "random": any top, bottom and shoes (what the shipped models were trained on); "stylist": dressed
    # by the stylist's rules, a fifth at random (synthetic.stylist), for learning what goes together.
    outfits: str = "random"


def split_families(products: list[DemoProduct], seed: int, fractions: tuple[float, float, float]) -> dict[str, str]:
    """Product id -> split; whole families go to one split, within each gender x category."""
    rng = random.Random(seed * 7919 + 1)
    by_partition: dict[tuple[str, str], list[str]] = {}
    for p in products:
        families = by_partition.setdefault((p.gender, p.category), [])
        if p.family not in families:
            families.append(p.family)
    family_split: dict[str, str] = {}
    for families in by_partition.values():
        rng.shuffle(families)
        if len(families) < 3:
            raise ValueError("each gender x category needs at least three product families to split")
        # Every split gets at least one family of every partition, so any outfit can be dressed.
        n_val = max(1, round(len(families) * fractions[1]))
        n_test = max(1, round(len(families) * fractions[2]))
        n_train = len(families) - n_val - n_test
        for i, family in enumerate(families):
            family_split[family] = "train" if i < n_train else ("val" if i < n_train + n_val else "test")
    return {p.product_id: family_split[p.family] for p in products}


def yolo_lines(scene: Scene, width: int, height: int) -> list[str]:
    lines = []
    for b in scene.boxes:
        cx, cy = (b.x1 + b.x2) / 2 / width, (b.y1 + b.y2) / 2 / height
        w, h = (b.x2 - b.x1) / width, (b.y2 - b.y1) / height
        lines.append(f"{CLASSES.index(b.label)} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}")
    return lines


@dataclass(frozen=True)
class _Job:
    split: str
    index: int
    seed: int
    gender: str
    outfit: Outfit
    styled: bool
    width: int
    height: int


def _render(job: _Job) -> tuple[_Job, Scene]:
    return job, render_scene(job.outfit, job.gender, random.Random(job.seed), job.width, job.height)


def _jobs(config: LookbookConfig, products: list[DemoProduct], split_of: dict[str, str]) -> Iterable[_Job]:
    for split in SPLITS:
        pool: dict[tuple[str, str], list[DemoProduct]] = {}
        for p in products:
            if split_of[p.product_id] == split:
                pool.setdefault((p.gender, p.category), []).append(p)
        rng = random.Random(f"{config.seed}-{split}")
        for index in range(config.scenes.get(split, 0)):
            gender = rng.choice(("men", "women"))
            if config.outfits == "stylist":
                outfit, styled = styled_outfit(pool, gender, rng)
            else:
                outfit, styled = random_outfit(pool, gender, rng), False
            yield _Job(split, index, rng.randrange(1 << 30), gender, outfit, styled, config.width, config.height)


def build_lookbook(
    out: Path,
    config: LookbookConfig,
    workers: int = 1,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
) -> dict:
    """Render every scene and catalog photo into `out`; returns counts. Same config, same files."""
    if config.outfits not in ("random", "stylist"):
        raise ValueError(f"outfits must be 'random' or 'stylist', not {config.outfits!r}")
    products = generate_catalog(config.n_products, config.seed)
    split_of = split_families(products, config.seed, config.split_fractions)
    for split in SPLITS:
        (out / "yolo" / "images" / split).mkdir(parents=True, exist_ok=True)
        (out / "yolo" / "labels" / split).mkdir(parents=True, exist_ok=True)
    (out / "pairs").mkdir(exist_ok=True)
    (out / "scenes").mkdir(exist_ok=True)
    jobs = list(_jobs(config, products, split_of))
    pairs = {s: [] for s in SPLITS}
    metas = {s: [] for s in SPLITS}
    with Pool(workers) if workers > 1 else _Serial() as pool:
        _write_catalog(out / "products", products, split_of, pool)
        for job, scene in progress(pool.imap(_render, jobs, chunksize=8)):
            name = f"{job.split}_{job.index:05d}"
            rel = f"yolo/images/{job.split}/{name}.jpg"
            scene.image.save(out / rel, "JPEG", quality=scene.jpeg_quality)
            lines = yolo_lines(scene, job.width, job.height)
            (out / "yolo" / "labels" / job.split / f"{name}.txt").write_text("\n".join(lines) + "\n")
            for b in scene.boxes:
                if b.product_id:
                    bbox = [b.x1 / job.width, b.y1 / job.height, b.x2 / job.width, b.y2 / job.height]
                    pairs[job.split].append(
                        {"scene": rel, "product": b.product_id, "bbox": [round(v, 6) for v in bbox]}
                    )
            metas[job.split].append(
                {
                    "scene": rel,
                    "gender": scene.gender,
                    "facing": scene.facing,
                    "styled": job.styled,  # for evaluation only: training reads pixels, never this
                    "boxes": [asdict(b) for b in scene.boxes],
                }
            )
    for split in SPLITS:
        _write_jsonl(out / "pairs" / f"{split}.jsonl", pairs[split])
        _write_jsonl(out / "scenes" / f"{split}.jsonl", metas[split])
    data_yaml = [f"path: {(out / 'yolo').resolve()}", *(f"{s}: images/{s}" for s in SPLITS), "names:"]
    data_yaml += [f"  {i}: {name}" for i, name in enumerate(CLASSES)]
    (out / "yolo" / "data.yaml").write_text("\n".join(data_yaml) + "\n")
    summary = {
        "config": asdict(config),
        "scenes": {s: len(metas[s]) for s in SPLITS},
        "pairs": {s: len(pairs[s]) for s in SPLITS},
        "products": {s: sum(1 for v in split_of.values() if v == s) for s in SPLITS},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


class _Serial:
    """The subset of multiprocessing.Pool used above, in this process."""

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def imap(self, fn, items, chunksize: int = 1):
        return map(fn, items)


def _product_photos(task: tuple[DemoProduct, Path]) -> None:
    product, folder = task
    folder.mkdir(parents=True, exist_ok=True)
    for view in product.views:
        path = folder / f"{view}.jpg"
        if not path.exists():
            path.write_bytes(view_jpeg(product, view))


def _write_catalog(folder: Path, products: list[DemoProduct], split_of: dict[str, str], pool) -> None:
    for _ in pool.imap(_product_photos, [(p, folder / p.product_id) for p in products], chunksize=16):
        pass
    rows = []
    for p in products:
        rows.append(
            {
                "product": p.product_id,
                "family": p.family,
                "gender": p.gender,
                "category": p.category,
                "article_type": p.article_type,
                "title": p.title,
                "views": list(p.views),
                "split": split_of[p.product_id],
            }
        )
    _write_jsonl(folder / "catalog.jsonl", rows)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
