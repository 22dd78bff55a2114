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
from detection.boxes import Box, masked_crop
from detection.garment_colours import worn_colours
from detection.garment_names import garment_namer
from detection.gender_reading import GenderReading
from detection.imagenet_classes import classes_to_bytes
from detection.threads import later, timed
from embeddings.embedder import embedder, exact_match_rule
from embeddings.index import vector_from_bytes, vector_to_bytes
from embeddings.ranking import RankWeights, Worn, rerank

from .models import Look, LookItem, Recommendation

KEPT_PER_ITEM = 40  # recommendations stored per item; the shopper's filters choose among these
RANKED_PER_ITEM = 120  # the embedder's nearest products the ranking chooses those from
BOTH = list(taxonomy.SHOPPER_GENDERS)
CATALOG_BACKDROP = (246, 246, 244)  # the studio grey of the catalog's product photos


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
    colours = vector_from_bytes(bytes(item.colours))
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
    colour_names.refresh(getattr(index, "stamp", None))  # the pgvector index keeps no stamp: a query reads it


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
    model = embedder()
    embedded = later(pool, _embedded, model, image, garments, mask_over, timings)
    with timed(timings, "colours"):
        colours = [worn_colours(image, g.as_tuple(), g.label, skin) for g in garments]
    items = [_item(look, g, c, src) for g, c, src in zip(garments, colours, sources, strict=True)]
    with timed(timings, "name"):  # before the gender is asked for: the second thread may still be reading it
        for item in items:
            name_item(item, image, [i.box for i in items if i is not item], forearms)
    # A group photo keeps the second thread busy with everybody's gender: not started yet, the embedding
    # is taken back and done here, so it never waits behind the others' readings.
    if embedded.cancel():
        embedded = later(None, _embedded, model, image, garments, mask_over, timings)
    with timed(timings, "waited"):
        vectors = embedded.result()
        genders = genders_to_search(look.gender_choice, whose())
    for item, vector in zip(items, vectors, strict=True):
        item.vector = vector_to_bytes(vector)
    with timed(timings, "search"):
        refresh_catalog()
        for item, read in zip(items, colours, strict=True):
            item.colour_name = colour_names.read(read)  # the catalog's name for it, as the catalog is now
        recommendations = recommend(items, vectors, genders)
    return items, recommendations, genders


def _embedded(model, image: Image.Image, garments: list[Box], mask_over, timings) -> list[np.ndarray]:
    with timed(timings, "embed"):
        return [_embed(model, image, g, mask_over) for g in garments]


def _embed(model, image: Image.Image, box: Box, mask_over) -> np.ndarray:
    """A garment's vector: of its crop, or of its crop on the catalog's plain backdrop when masking is on."""
    if mask_over is None:
        return model.embed(image, box.as_tuple())
    return model.embed(masked_crop(image, box.as_tuple(), mask_over, CATALOG_BACKDROP), None)


def name_item(
    item: LookItem, image: Image.Image, others: list[tuple[float, float, float, float]], forearms: float | None = None
) -> None:
    """The garment's article type ("Jacket", not "Topwear") and its probability, and every ImageNet class's,
    read from the photo (not saved).

    On the labelled real photos the ImageNet classifier's garment classes name 14 of 24 garments
    right, where the type of the closest catalog product (right 0.907 on rendered lookbook crops)
    names 2 of 22: a shopper's photo is real (see detection.garment_names).
    """
    # The other garments are blanked: complete the look must read this garment, not its neighbours.
    guess, classes = garment_namer().read(image, item.box, item.category, others, forearms)
    item.classes = classes_to_bytes(classes)  # complete the look reads them too
    item.article_type = guess.article_type if guess else ""
    item.article_score = round(guess.score, 4) if guess else None


def _item(look: Look, box: Box, colours: np.ndarray, source: str) -> LookItem:
    """A garment's item, unsaved; its vector is set once the second thread has embedded it."""
    return LookItem(
        look=look,
        category=box.label,
        source=source,
        score=box.score,
        x1=box.x1,
        y1=box.y1,
        x2=box.x2,
        y2=box.y2,
        colours=vector_to_bytes(colours),
    )


def load_models() -> None:
    """Load (and check) the models a look's garments are read with: a missing or corrupt file raises here."""
    for load in (embedder, exact_match_rule, garment_namer):
        load()


def read_drawn(
    item: LookItem, photo: Image.Image, wearer: dict, others: list[tuple[float, float, float, float]]
) -> np.ndarray:
    """A box the shopper drew, read as a worn garment is: its vector (returned, and set on the unsaved item),
    its colours, type and colour name; the catalog is refreshed for the search that follows."""
    vector = embedder().embed(photo, item.box)
    # Read and named before the search: the ranking compares the products with them.
    read = worn_colours(photo, item.box, item.category, wearer.get("skin"))
    item.colours = vector_to_bytes(read)
    name_item(item, photo, others, wearer.get("forearms"))
    refresh_catalog()
    item.colour_name = colour_names.read(read)
    item.vector = vector_to_bytes(vector)
    return vector
