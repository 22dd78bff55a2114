"""Each garment of a look read (vector, colours, type) and matched: its nearest products, ranked to look like it."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor

import numpy as np
from django.conf import settings
from PIL import Image

from catalog.colour_names import colour_names
from catalog.ranking_rows import ranking_rows
from catalog.search import catalog_index
from detection import taxonomy
from detection.boxes import Box
from detection.gender_reading import GenderReading
from detection.models.embedder import embedder
from detection.models.garment_names import garment_namer
from detection.threads import later, timed
from embeddings.exact_match import exact_match_rule
from embeddings.feature_codec import from_bytes, to_bytes
from embeddings.garment_features import GarmentFeatures, embed_worn, read_worn
from embeddings.ranking import RankWeights, Worn, rerank

from .models import Look, LookItem, Recommendation

KEPT_PER_ITEM = 40  # recommendations stored per item; the shopper's filters choose among these
RANKED_PER_ITEM = 120  # the embedder's nearest products the ranking chooses those from
BOTH = list(taxonomy.SHOPPER_GENDERS)


def genders_to_search(choice: str, reading: GenderReading | None) -> list[str]:
    """The shopper's choice wins; otherwise what the analysis read, or both partitions when it is unsure."""
    if choice in ("men", "women"):
        return [choice]
    if choice == "all" or reading is None or not reading.label:
        return BOTH
    return [reading.label]


def recommend(items: Sequence[LookItem], vectors: Sequence[np.ndarray], genders: Sequence[str]):
    """Each item's nearest products, re-ranked to look like the garment (embeddings.ranking): a list of
    Recommendations per item. The first is an "exact match" only where true matches lie (see
    exact_match_rule), and then it stays first.

    The caller refreshes the index once for all of a look's items; the products' colours are read
    for all of them at once.
    """
    found = [
        catalog_index().search(v, RANKED_PER_ITEM, genders, item.category, refresh=False)
        for item, v in zip(items, vectors, strict=True)
    ]
    weights, rule = RankWeights.parse(settings.LOOK_RANKING), exact_match_rule()
    out = []
    for item, hits, candidates in zip(items, found, ranking_rows.candidates(found), strict=True):
        exact = bool(hits) and rule.is_exact(hits[0].score, hits[1].score if len(hits) > 1 else None)
        worn = as_worn(item)
        if exact and worn.chosen_colour and candidates[0].colour_name.lower() != worn.chosen_colour.lower():
            exact = False  # the shopper says the garment is another colour: not this product
        # The embedder's first stays first (it is the exact product when the catalog has it: re-ranking it
        # away cost a third of the lookbook's Recall@1), unless the shopper corrected the garment.
        corrected = item.type_chosen or item.colour_chosen
        ranked = rerank(worn, candidates, weights, keep_first=exact or not corrected)
        out.append(
            [
                Recommendation(
                    item=item, product_id=c.product_id, rank=rank, similarity=c.similarity, exact=exact and rank == 1
                )
                for rank, (c, _) in enumerate(ranked[:KEPT_PER_ITEM], start=1)
            ]
        )
    return out


def as_worn(item: LookItem) -> Worn:
    """The garment as the ranking compares it: what was read of it, or what the shopper said it is."""
    colours = from_bytes("colours", item.colours)
    return Worn(
        colours,
        item.article_type,
        1.0 if item.type_chosen else item.article_score or 0.0,
        item.colour_name if item.colour_chosen else "",
        colour_names.scores(colours) if len(colours) else {},
    )


def refresh_catalog() -> None:
    """The index and the colour names as the catalog is now: once a look (or a change), not once an item."""
    index = catalog_index()
    index.refresh()
    colour_names.refresh(index.stamp)


def matched(
    look: Look,
    image: Image.Image,
    garments: list[Box],
    sources: list[str],
    whose,
    mask_over,
    timings,
    wearer,
    pool: Executor | None = None,
):
    """(items, their recommendations, genders searched): each garment embedded and searched in its partition.

    `whose()` gives the gender reading, which may wait for the scene's second thread; `wearer` is the
    person's record (its skin and forearms are read), or None. The garments are embedded on `pool` (the
    scene's second thread, after the genders) while this thread reads their colours and names.
    """
    skin, forearms = (wearer or {}).get("skin"), (wearer or {}).get("forearms")
    embedder()  # loaded (and checked) here: a missing or corrupt file fails before anything is read
    embedded = later(pool, _embedded, image, garments, mask_over, timings)
    # Read before the gender is asked for: the second thread may still be reading it.
    read = [
        read_worn(image, g, [o.as_tuple() for o in garments if o is not g], skin, forearms, timings) for g in garments
    ]
    items = [_item(look, g, f, src) for g, f, src in zip(garments, read, sources, strict=True)]
    if timings is not None:  # every look records every stage, zero when it had no garment
        timings.setdefault("colours", 0.0)
        timings.setdefault("name", 0.0)
    # A group photo keeps the second thread busy with everybody's gender: not started yet, the embedding
    # is taken back and done here, so it never waits behind the others' readings.
    if embedded.cancel():
        embedded = later(None, _embedded, image, garments, mask_over, timings)
    with timed(timings, "waited"):
        vectors = embedded.result()
        genders = genders_to_search(look.gender_choice, whose())
    for item, vector in zip(items, vectors, strict=True):
        item.vector = to_bytes("vector", vector)
    with timed(timings, "search"):
        refresh_catalog()
        for item, features in zip(items, read, strict=True):
            item.colour_name = colour_names.read(features.colours)  # the catalog's name for it, as the catalog is now
        recommendations = recommend(items, vectors, genders)
    return items, recommendations, genders


def _embedded(image: Image.Image, garments: list[Box], mask_over, timings) -> list[np.ndarray]:
    with timed(timings, "embed"):
        return [embed_worn(image, g, mask_over) for g in garments]


def _store(item: LookItem, features: GarmentFeatures) -> None:
    """What was read of the garment onto its item (not saved); complete the look reads the classes too."""
    item.colours = to_bytes("colours", features.colours)
    item.classes = to_bytes("classes", features.classes)
    item.article_type = features.article_type
    item.article_score = features.article_score


def _item(look: Look, box: Box, features: GarmentFeatures, source: str) -> LookItem:
    """A garment's item, unsaved; its vector is set once the second thread has embedded it."""
    item = LookItem(
        look=look, category=box.label, source=source, score=box.score, x1=box.x1, y1=box.y1, x2=box.x2, y2=box.y2
    )
    _store(item, features)
    return item


def load_models() -> None:
    """Load (and check) the models a look's garments are read with: a missing or corrupt file raises here."""
    for load in (embedder, exact_match_rule, garment_namer):
        load()


def read_drawn(
    item: LookItem, photo: Image.Image, wearer: dict, others: list[tuple[float, float, float, float]]
) -> np.ndarray:
    """A box the shopper drew, read as a worn garment is: its vector (returned, and set on the unsaved item),
    its colours, type and colour name; the catalog is refreshed for the search that follows."""
    box = Box(item.category, 0.0, *item.box)
    vector = embed_worn(photo, box)
    # Read and named before the search: the ranking compares the products with them.
    features = read_worn(photo, box, others, wearer.get("skin"), wearer.get("forearms"))
    _store(item, features)
    refresh_catalog()
    item.colour_name = colour_names.read(features.colours)
    item.vector = to_bytes("vector", vector)
    return vector
