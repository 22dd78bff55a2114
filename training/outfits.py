"""Outfits as the compatibility model sees them: each garment's crop vector and its product's photo vectors.

An outfit is the garments one photo shows together. Each garment has the vector of its crop from
that photo (the query side, as a shopper's garment is) and, when the product is known, the
vectors of its catalog photos (the candidate side, as the vector index holds them). Beside each
vector are the colours read from the same pixels (detection.garment_colours): the compatibility
model reads both as a garment's features. Everything here comes from pixels; nothing reads the
stylist's rules or a product's attributes. The `styled` flag of a lookbook scene is carried for
evaluation only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from detection.garment_colours import SIZE as COLOUR_SIZE
from detection.garment_colours import VERSION as COLOUR_VERSION
from detection.garment_colours import product_colours, worn_colours
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

    @property
    def features(self) -> np.ndarray:
        """What the compatibility model reads of it: the crop's vector, then its colours."""
        colours = self.colours if self.colours is not None else np.zeros(COLOUR_SIZE, np.float32)
        return np.concatenate([self.crop, colours]).astype(np.float32)


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

    def index(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.ids)}

    @cached_property
    def photo_rows(self) -> list[np.ndarray]:
        """Each product's rows of `photos`."""
        order = np.argsort(self.owner, kind="stable")
        return np.split(order, np.searchsorted(self.owner[order], np.arange(1, len(self.ids))))

    @cached_property
    def features(self) -> np.ndarray:
        """Each photo as the compatibility model reads it: its vector, then its colours (N x (dim + SIZE))."""
        colours = self.colours if self.colours is not None else np.zeros((len(self.photos), COLOUR_SIZE), np.float32)
        return np.concatenate([self.photos, colours], axis=1).astype(np.float32)

    def best_photo_scores(self, query: np.ndarray, products: list[int], rows: np.ndarray | None = None) -> np.ndarray:
        """`products`' scores as the app ranks them: each one's best photo's inner product with each
        row of `query` (Q x dim); Q x len(products). `rows` are the photos' rows to score (the vectors
        when None, or `features`)."""
        query, rows = np.atleast_2d(query), self.photos if rows is None else rows
        return np.stack([(query @ rows[self.photo_rows[i]].T).max(axis=1) for i in products], axis=1)


def lookbook_products(embed: EmbedFn, lookbook: Path, size: int) -> Products:
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
    colours = np.stack([_photo_colours(p) for p in tqdm(paths, desc="catalog colours", unit="photo")])
    return Products(
        ids,
        vectors,
        np.array(owner),
        np.array([catalog[p]["gender"] for p in ids]),
        np.array([catalog[p]["category"] for p in ids]),
        np.array([family_of(p) for p in ids]),
        np.array([catalog[p].get("split", "") for p in ids]),
        colours,
    )


def _photo_colours(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return product_colours(image)


def _worn_colours(pairs: list) -> list[np.ndarray]:
    """Each pair's garment colours as worn in its scene; a scene is opened once for all its garments."""
    out, opened, image = [], None, None
    for pair in pairs:
        if pair.scene != opened:  # a split's pairs come scene by scene
            opened = pair.scene
            with Image.open(opened) as read:
                image = read.convert("RGB")
        w, h = image.size
        left, top, right, bottom = pair.bbox
        out.append(worn_colours(image, (left * w, top * h, right * w, bottom * h), pair.partition[1]))
    return out


def lookbook_outfits(embed: EmbedFn, lookbook: Path, split: str, size: int) -> list[Outfit]:
    """The outfits of a lookbook split, one per scene, each garment by its crop from the scene."""
    pairs = lookbook_pairs(lookbook, split)
    crops = embed_all(embed, [scene_crop(p, size) for p in tqdm(pairs, desc=f"{split} crops", unit="crop")])
    scenes = {}
    for line in (lookbook / "scenes" / f"{split}.jsonl").read_text().splitlines():
        row = json.loads(line)
        scenes[str(lookbook / row["scene"])] = row
    colours = _worn_colours(tqdm(pairs, desc=f"{split} colours", unit="crop"))
    worn: dict[str, list[Garment]] = {}
    for pair, vector, colour in zip(pairs, crops, colours, strict=True):
        worn.setdefault(str(pair.scene), []).append(Garment(pair.partition[1], pair.product, vector, pair.bbox, colour))
    return [
        Outfit(scenes[scene]["gender"], tuple(garments), scenes[scene].get("styled"), scene)
        for scene, garments in worn.items()
    ]


def lookbook_data(
    embed: EmbedFn, lookbook: Path, size: int, embedder_sha: str, splits: tuple[str, ...] = ("train", "val", "test")
) -> tuple[Products, dict[str, list[Outfit]]]:
    """(products, outfits by split), embedded once and kept in the lookbook folder beside the scenes.

    The cache is keyed by the embedder's sha256 and the lookbook's summary, so a new embedder or
    a rebuilt lookbook embeds again.
    """
    path = lookbook / "compatibility-vectors.npz"
    key = json.dumps(
        {
            "embedder": embedder_sha,
            "colours": COLOUR_VERSION,
            "size": size,
            "splits": splits,
            "lookbook": _summary(lookbook),
        }
    )
    if path.is_file():
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) == key:
                return _unpack(data)
    products = lookbook_products(embed, lookbook, size)
    outfits = {split: lookbook_outfits(embed, lookbook, split, size) for split in splits}
    tmp = path.with_suffix(".tmp.npz")
    with tmp.open("wb") as fh:
        np.savez(fh, key=np.array(key), **_pack(products, outfits))
    tmp.replace(path)  # never a half-written cache
    return products, outfits


def _summary(lookbook: Path) -> dict:
    path = lookbook / "summary.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _pack(products: Products, outfits: dict[str, list[Outfit]]) -> dict[str, np.ndarray]:
    rows, worn, meta = [], [], {}
    for split, group in outfits.items():
        meta[split] = []
        for o in group:
            garments = []
            for g in o.garments:
                garments.append({"category": g.category, "product": g.product, "row": len(rows), "box": g.box})
                rows.append(g.crop)
                worn.append(g.colours)
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
    )
    crops, worn = data["crops"], data["worn_colours"]
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
