"""Outfits as the compatibility model sees them: each garment's crop vector and its product's photo vectors.

An outfit is the garments one photo shows together. Each garment has the vector of its crop from
that photo (the query side, as a shopper's garment is) and, when the product is known, the
vectors of its catalog photos (the candidate side, as the vector index holds them). Beside each
vector are the colours read from the same pixels (detection.garment_colours) and what the
ImageNet classifier sees there (detection.models.garment_names: its class probabilities): the
compatibility model reads all three as a garment's features. Everything here comes from pixels,
and the ImageNet classifier never saw our products or their attributes; nothing reads the
stylist's rules or a product's attributes. The `styled` flag of a lookbook scene is carried for
evaluation only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from detection.garment_colours import SIZE as COLOUR_SIZE
from detection.garment_colours import VERSION as COLOUR_VERSION
from detection.garment_colours import product_colours, worn_colours
from embeddings.feature_codec import CLASSES
from embeddings.index import indexes_view

from .retrieval_eval import EmbedFn, embed_all, family_of
from .siamese import lookbook_pairs, photo, read_catalog, scene_crop


@dataclass(frozen=True)
class Garment:
    category: str
    product: str | None  # None for a garment no catalog product is known for
    crop: np.ndarray | None  # its vector as worn (dim,)
    box: tuple[float, float, float, float] | None = None  # where it is worn in the photo (normalised l, t, r, b)
    colours: np.ndarray | None = None  # its colours as worn (garment_colours.SIZE,)
    classes: np.ndarray | None = None  # the ImageNet classifier's probabilities for its box (feature_codec.CLASSES,)


@dataclass(frozen=True)
class Outfit:
    gender: str
    garments: tuple[Garment, ...]
    styled: bool | None = None  # evaluation only: whether the stylist's rules dressed it
    photo: str = ""  # where it was seen, for the report's pictures


@dataclass(frozen=True)
class Products:
    """The candidate side: every product's photo vectors, its partition and family."""

    ids: list[str]
    photos: np.ndarray  # all photo vectors (N x dim)
    owner: np.ndarray  # photo -> index into ids
    gender: np.ndarray  # per product
    category: np.ndarray
    family: np.ndarray
    split: np.ndarray  # the lookbook split its family is in ("" when there are none)
    colours: np.ndarray | None = None  # each photo's colours (N x garment_colours.SIZE); None: unread
    classes: np.ndarray | None = None  # each photo's ImageNet class probabilities (N x CLASSES); None: unread

    def index(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.ids)}

    @cached_property
    def photo_rows(self) -> list[np.ndarray]:
        """Each product's rows of `photos`."""
        order = np.argsort(self.owner, kind="stable")
        return np.split(order, np.searchsorted(self.owner[order], np.arange(1, len(self.ids))))

    def best_photo_scores(self, query: np.ndarray, products: list[int], rows: np.ndarray | None = None) -> np.ndarray:
        """`products`' scores as the app ranks them: each one's best photo's inner product with each
        row of `query` (Q x dim); Q x len(products). `rows` are the photos' rows to score (the vectors
        when None, or `features`)."""
        query, rows = np.atleast_2d(query), self.photos if rows is None else rows
        return np.stack([(query @ rows[self.photo_rows[i]].T).max(axis=1) for i in products], axis=1)


# ImageNet probabilities of (photo, box or None for all of it, other garments' boxes to blank)
ClassifyFn = Callable[..., np.ndarray]


def lookbook_products(embed: EmbedFn, classify: ClassifyFn, lookbook: Path, size: int) -> Products:
    """Every catalog product of the lookbook by its indexed photos (not its model shots), as the index holds them."""
    catalog = read_catalog(lookbook)
    ids, paths, owner = [], [], []
    for pid, row in catalog.items():
        views = [v for v in row["views"] if indexes_view(v)]
        ids.append(pid)
        for view in views:
            paths.append(lookbook / "products" / pid / f"{view}.jpg")
            owner.append(len(ids) - 1)
    vectors = embed_all(embed, [photo(p, size) for p in tqdm(paths, desc="catalog photos", unit="photo")])
    read = [_photo_readings(p, classify) for p in tqdm(paths, desc="catalog colours, classes", unit="photo")]
    return Products(
        ids,
        vectors,
        np.array(owner),
        np.array([catalog[p]["gender"] for p in ids]),
        np.array([catalog[p]["category"] for p in ids]),
        np.array([family_of(p) for p in ids]),
        np.array([catalog[p].get("split", "") for p in ids]),
        np.stack([c for c, _ in read]),
        np.stack([k for _, k in read]).astype(np.float16),
    )


def _photo_readings(path: Path, classify: ClassifyFn) -> tuple[np.ndarray, np.ndarray]:
    """A catalog photo's (colours, ImageNet class probabilities)."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        return product_colours(rgb), classify(rgb, None)


def _worn_readings(pairs: list, classify: ClassifyFn) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each pair's garment (colours, ImageNet class probabilities) as worn in its scene. The scene's
    other garments are blanked for the classes, as the app does: a crop's margin must not show the
    garment a question leaves out. A scene is opened once for all its garments."""
    by_scene: dict = {}
    for i, pair in enumerate(pairs):
        by_scene.setdefault(pair.scene, []).append(i)
    out: list = [None] * len(pairs)
    with tqdm(total=len(pairs), desc="colours, classes", unit="crop") as bar:
        for scene, rows in by_scene.items():
            with Image.open(scene) as read:
                image = read.convert("RGB")
            w, h = image.size
            boxes = [_pixels(pairs[i].bbox, w, h) for i in rows]
            for k, (i, box) in enumerate(zip(rows, boxes, strict=True)):
                others = boxes[:k] + boxes[k + 1 :]
                out[i] = (worn_colours(image, box, pairs[i].partition[1]), classify(image, box, others))
            bar.update(len(rows))
    return out


def _pixels(bbox, w: int, h: int) -> tuple[float, float, float, float]:
    left, top, right, bottom = bbox
    return (left * w, top * h, right * w, bottom * h)


def lookbook_outfits(embed: EmbedFn, classify: ClassifyFn, lookbook: Path, split: str, size: int) -> list[Outfit]:
    """The outfits of a lookbook split, one per scene, each garment by its crop from the scene."""
    pairs = lookbook_pairs(lookbook, split)
    crops = embed_all(embed, [scene_crop(p, size) for p in tqdm(pairs, desc=f"{split} crops", unit="crop")])
    scenes = {}
    for line in (lookbook / "scenes" / f"{split}.jsonl").read_text().splitlines():
        row = json.loads(line)
        scenes[str(lookbook / row["scene"])] = row
    read = _worn_readings(pairs, classify)
    worn: dict[str, list[Garment]] = {}
    for pair, vector, (colours, classes) in zip(pairs, crops, read, strict=True):
        worn.setdefault(str(pair.scene), []).append(
            Garment(pair.partition[1], pair.product, vector, pair.bbox, colours, classes.astype(np.float16))
        )
    return [
        Outfit(scenes[scene]["gender"], tuple(garments), scenes[scene].get("styled"), scene)
        for scene, garments in worn.items()
    ]


def lookbook_data(
    embed: EmbedFn,
    classify: ClassifyFn,
    lookbook: Path,
    size: int,
    shas: dict[str, str],
    splits: tuple[str, ...] = ("train", "val", "test"),
) -> tuple[Products, dict[str, list[Outfit]]]:
    """(products, outfits by split), embedded and classified once and kept in the lookbook folder
    beside the scenes.

    The cache is keyed by the models' sha256s (`shas`: the embedder's and the ImageNet
    classifier's) and the lookbook's summary, so a new model or a rebuilt lookbook reads again.
    """
    path = lookbook / "compatibility-vectors.npz"
    key = json.dumps(
        {
            "models": shas,
            "colours": COLOUR_VERSION,
            "classes": "other garments blanked",  # how worn garments' classes are read
            "size": size,
            "splits": splits,
            "lookbook": _summary(lookbook),
        }
    )
    if path.is_file():
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) == key:
                return _unpack(data)
    products = lookbook_products(embed, classify, lookbook, size)
    outfits = {split: lookbook_outfits(embed, classify, lookbook, split, size) for split in splits}
    tmp = path.with_suffix(".tmp.npz")
    with tmp.open("wb") as fh:
        np.savez(fh, key=np.array(key), **_pack(products, outfits))
    tmp.replace(path)  # never a half-written cache
    return products, outfits


def _summary(lookbook: Path) -> dict:
    path = lookbook / "summary.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _pack(products: Products, outfits: dict[str, list[Outfit]]) -> dict[str, np.ndarray]:
    rows, worn, classes, meta = [], [], [], {}
    for split, group in outfits.items():
        meta[split] = []
        for o in group:
            garments = []
            for g in o.garments:
                garments.append({"category": g.category, "product": g.product, "row": len(rows), "box": g.box})
                rows.append(g.crop)
                worn.append(g.colours)
                classes.append(g.classes)
            meta[split].append({"gender": o.gender, "styled": o.styled, "photo": o.photo, "garments": garments})
    dim = products.photos.shape[1]
    return {
        "ids": np.array(products.ids),
        "photos": products.photos,
        "owner": products.owner,
        "gender": products.gender,
        "category": products.category,
        "family": products.family,
        "split": products.split,
        "crops": np.stack(rows) if rows else np.zeros((0, dim), np.float32),
        "photo_colours": products.colours,
        "worn_colours": np.stack(worn) if worn else np.zeros((0, COLOUR_SIZE), np.float32),
        "photo_classes": products.classes,
        "worn_classes": np.stack(classes) if classes else np.zeros((0, CLASSES), np.float16),
        "outfits": np.array(json.dumps(meta)),
    }


def _unpack(data) -> tuple[Products, dict[str, list[Outfit]]]:
    ids = [str(i) for i in data["ids"]]
    products = Products(
        ids,
        data["photos"],
        data["owner"],
        data["gender"],
        data["category"],
        data["family"],
        data["split"],
        data["photo_colours"],
        data["photo_classes"],
    )
    crops, worn, classes = data["crops"], data["worn_colours"], data["worn_classes"]
    outfits = {
        split: [
            Outfit(
                o["gender"],
                tuple(
                    Garment(
                        g["category"],
                        g["product"],
                        crops[g["row"]],
                        tuple(g["box"]) if g.get("box") else None,
                        worn[g["row"]],
                        classes[g["row"]],
                    )
                    for g in o["garments"]
                ),
                o["styled"],
                o["photo"],
            )
            for o in group
        ]
        for split, group in json.loads(str(data["outfits"])).items()
    }
    return products, outfits
