"""The generator's people and shoes carry the cues real photos have: faces that differ, shoes that differ."""

import random
from dataclasses import replace

import numpy as np

from synthetic.designs import ShoeTrim, generate_catalog
from synthetic.face import LIPSTICKS, FaceFeatures, random_features
from synthetic.figure import Appearance, Outfit, Pose, render_figure
from synthetic.views import render_view


def _face_pixels(appearance: Appearance, facing: str = "front") -> np.ndarray:
    fig = render_figure(Outfit(), appearance, 320, 400, pose=Pose(facing=facing))
    person = next(b for b in fig.boxes if b.label == "person")
    head = np.asarray(fig.image, np.int16)[person.y1 : person.y1 + 60, person.x1 : person.x2]
    return head


def test_lipstick_shows_on_the_face_and_nowhere_when_absent():
    plain = Appearance.typical("men", 1)
    made_up = replace(plain, face=FaceFeatures(lips=LIPSTICKS[0]))
    red = np.array(LIPSTICKS[0])

    def near_red(pixels: np.ndarray) -> int:
        return int((np.abs(pixels - red).max(axis=-1) < 25).sum())

    assert near_red(_face_pixels(made_up)) >= 4
    assert near_red(_face_pixels(plain)) == 0


def test_the_back_of_the_head_shows_no_face():
    women = Appearance.typical("women", 1)
    red = replace(women, face=FaceFeatures(lips=LIPSTICKS[0]))
    back = _face_pixels(red, "back")
    assert (np.abs(back - np.array(LIPSTICKS[0])).max(axis=-1) < 25).sum() == 0


def test_face_cues_lean_by_gender_but_overlap():
    rng = random.Random(0)
    women = [random_features("women", rng) for _ in range(2000)]
    men = [random_features("men", rng) for _ in range(2000)]
    share = lambda faces, cue: sum(cue(f) for f in faces) / len(faces)  # noqa: E731
    for cue in (lambda f: f.lips is not None, lambda f: f.eyeliner, lambda f: f.earrings is not None):
        assert share(women, cue) > 0.35 and 0.0 < share(men, cue) < 0.12
    # Jaw and brow ranges overlap, so neither decides alone.
    assert min(f.jaw for f in men) < max(f.jaw for f in women)
    assert min(f.brow for f in men) < max(f.brow for f in women)


def test_every_shoe_design_has_a_trim_its_colourways_share():
    products = generate_catalog(600, 7)
    shoes = [p for p in products if p.category == "footwear"]
    assert all(p.trim is not None for p in shoes)
    assert all(p.trim is None for p in products if p.category != "footwear")
    by_family: dict[str, set] = {}
    for p in shoes:
        by_family.setdefault(p.family, set()).add(p.trim)
    assert all(len(trims) == 1 for trims in by_family.values())
    assert {p.trim.style for p in shoes} == {"plain", "stripe", "toecap", "collar"}
    assert {p.trim.style for p in shoes if p.article_type == "sandals"} == {"plain"}


def test_the_sole_colour_is_drawn_in_the_catalog_photo_and_on_the_figure():
    shoe = next(p for p in generate_catalog(600, 7) if p.article_type == "sneakers")
    gum, white = (168, 118, 70), (238, 238, 232)
    for sole in (gum, white):
        product = replace(shoe, trim=ShoeTrim(sole, (190, 32, 40), "toecap"))
        photo = np.asarray(render_view(product, "side"), np.int16)
        assert (np.abs(photo - np.array(sole)).max(axis=-1) < 20).sum() > 200

        fig = render_figure(Outfit(footwear=product), Appearance.typical(product.gender), 320, 400)
        box = next(b for b in fig.boxes if b.label == "footwear")
        feet = np.asarray(fig.image, np.int16)[box.y1 : box.y2, box.x1 : box.x2]
        assert (np.abs(feet - np.array(sole)).max(axis=-1) < 30).sum() >= 10, sole
        assert (np.abs(feet - np.array((190, 32, 40))).max(axis=-1) < 30).sum() >= 5  # the toe cap
