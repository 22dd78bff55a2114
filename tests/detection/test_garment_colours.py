"""A garment's colours read from pixels: lightness x colour class, off the backdrop, from where it is worn."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from detection.garment_colours import (
    CLASSES,
    HISTOGRAM,
    LIGHTNESS_BINS,
    SIZE,
    TEXTURE_BINS,
    lab,
    product_colours,
    skin_colour,
    worn_colours,
)
from synthetic.textures import Fabric, render_fabric

BACKDROP = (246, 246, 244)


def mass(descriptor: np.ndarray, colour_class: str) -> float:
    """The share of pixels in a colour class, over every lightness."""
    grid = descriptor[:HISTOGRAM].reshape(len(LIGHTNESS_BINS), len(CLASSES))
    return float(grid[:, CLASSES.index(colour_class)].sum())


def mean_lightness(descriptor: np.ndarray) -> float:
    grid = descriptor[:HISTOGRAM].reshape(len(LIGHTNESS_BINS), len(CLASSES))
    return float(grid.sum(axis=1) @ LIGHTNESS_BINS)


def garment_photo(colour, size=(200, 260)) -> Image.Image:
    """A catalog photo: a garment-shaped block of `colour` on the studio backdrop."""
    image = Image.new("RGB", size, BACKDROP)
    ImageDraw.Draw(image).rectangle((50, 40, 150, 220), fill=colour)
    return image


def test_cielab_of_known_colours():
    white, black, red = lab(np.array([[255, 255, 255], [0, 0, 0], [255, 0, 0]]))
    assert white == pytest.approx([100, 0, 0], abs=0.5)
    assert black == pytest.approx([0, 0, 0], abs=0.5)
    assert red == pytest.approx([53.2, 80.1, 67.2], abs=1.0)  # the published CIELAB of sRGB red


@pytest.mark.parametrize(
    ("colour", "expected_class"),
    [
        ((30, 42, 84), "muted cool"),  # navy: a cool neutral
        ((110, 70, 40), "muted warm"),  # brown: a warm neutral
        ((140, 140, 145), "achromatic"),  # grey
        ((190, 32, 40), "hue 0"),  # red: an accent
        ((40, 130, 70), "hue 120"),  # green: an accent
    ],
)
def test_a_catalog_photo_is_read_off_its_backdrop(colour, expected_class):
    descriptor = product_colours(garment_photo(colour))
    assert descriptor.shape == (SIZE,)
    assert descriptor[:HISTOGRAM].sum() == pytest.approx(1.0, abs=1e-4)
    assert mass(descriptor, expected_class) > 0.9  # the light backdrop is left out


def test_lightness_orders_garments_from_dark_to_light():
    shades = [(28, 28, 30), (60, 62, 66), (140, 140, 145), (240, 240, 236)]  # black, charcoal, grey, white
    lightness = [mean_lightness(product_colours(garment_photo(c, (160, 200)))) for c in shades]
    assert lightness == sorted(lightness) and lightness[-1] - lightness[0] > 0.7


def test_a_pattern_shows_in_the_texture_bins():
    solid = Fabric("solid", (40, 90, 180), (40, 90, 180))
    striped = Fabric("stripes", (40, 90, 180), (240, 240, 236), scale=20)
    read = {}
    for name, fabric in (("solid", solid), ("striped", striped)):
        cloth = Image.fromarray(render_fabric(fabric, 180, 100))
        image = Image.new("RGB", (200, 260), BACKDROP)
        image.paste(cloth, (50, 40))
        read[name] = float(product_colours(image)[HISTOGRAM:] @ TEXTURE_BINS)  # the spread, as the bins hold it
    assert read["striped"] > read["solid"] + 0.05


def test_a_worn_top_is_read_at_its_chest_not_the_wall_behind_or_the_arms():
    image = Image.new("RGB", (300, 400), (200, 170, 150))  # a warm wall
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 200, 250), fill=(190, 32, 40))  # a red top
    draw.rectangle((70, 100, 100, 250), fill=(224, 172, 128))  # bare arms
    draw.rectangle((200, 100, 230, 250), fill=(224, 172, 128))
    descriptor = worn_colours(image, (70, 100, 230, 250), "topwear")
    assert mass(descriptor, "hue 0") > 0.95


def test_the_wearers_skin_is_left_out_of_a_worn_garment_and_a_skin_toned_garment_is_kept():
    skin_rgb, navy = (224, 172, 128), (30, 42, 84)
    image = Image.new("RGB", (300, 400), skin_rgb)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 300, 60), fill=(245, 245, 245))  # a white wall behind the head
    draw.ellipse((125, 20, 175, 80), fill=skin_rgb)  # the face, where the skin is read
    draw.rectangle((100, 140, 200, 250), fill=navy)  # a navy top, the neck above it bare
    skin = skin_colour(image, (150, 50), eye_distance=20)
    assert skin is not None and np.allclose(skin, lab(np.array(skin_rgb)), atol=1.0)
    box = (100, 80, 200, 250)  # the top's box takes in the neck
    assert mass(worn_colours(image, box, "topwear"), "muted cool") < 0.9  # the neck reads as part of it
    assert mass(worn_colours(image, box, "topwear", skin), "muted cool") > 0.95
    # a garment of the wearer's own tone is read whole rather than not at all
    assert worn_colours(image, (0, 100, 90, 390), "bottomwear", skin).any()


def test_worn_shoes_are_read_off_the_floor_around_them():
    image = Image.new("RGB", (300, 400), (235, 235, 230))
    ImageDraw.Draw(image).rectangle((110, 360, 190, 380), fill=(28, 28, 30))  # black shoes on a light floor
    descriptor = worn_colours(image, (100, 350, 200, 390), "footwear")
    assert mass(descriptor, "achromatic") > 0.9 and mean_lightness(descriptor) < 0.2


def test_a_box_too_small_to_read_gives_no_colours():
    image = Image.new("RGB", (100, 100), (190, 32, 40))
    assert not worn_colours(image, (10, 10, 11, 11), "footwear").any()


def test_a_dark_suit_on_a_real_photo_reads_dark_and_unsaturated(real_photos):
    labels, path = real_photos["obama3.jpg"]
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    boxes = {g.category: g.box for g in labels.garments}
    jacket = worn_colours(image, boxes["topwear"], "topwear")
    assert mean_lightness(jacket) < 0.45
    vivid = sum(mass(jacket, c) for c in CLASSES[3:])
    assert vivid < 0.2  # a dark suit is a neutral, not an accent
