"""Short sleeves leave skin along the forearm: the sleeves rule types out that the ImageNet namer would choose."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from detection import pose as lm
from detection.garment_colours import lab
from detection.pose import Pose, Roi
from detection.sleeves import BARE, COVERED, forearm_skin, sleeved_types

SKIN_RGB, NAVY_RGB = (205, 150, 120), (25, 30, 70)


def _arms(colour: tuple[int, int, int], visible: float = 1.0) -> tuple[Image.Image, Pose]:
    """A grey photo with two forearms (elbow to wrist) painted `colour`, and the pose that says where they are."""
    image = Image.new("RGB", (200, 200), (128, 128, 128))
    points = np.zeros((lm.LANDMARKS, 2), np.float32)
    points[[lm.LEFT_ELBOW, lm.LEFT_WRIST, lm.RIGHT_ELBOW, lm.RIGHT_WRIST]] = (40, 60), (40, 160), (160, 60), (160, 160)
    pen = ImageDraw.Draw(image)
    for x in (40, 160):
        pen.rectangle((x - 12, 55, x + 12, 165), fill=colour)
    pose = Pose(points, np.full(lm.LANDMARKS, visible), 1.0, Roi(100, 100, 200, 0.0), np.ones((8, 8)))
    return image, pose


def _skin() -> tuple[float, float, float]:
    return tuple(float(v) for v in lab(np.array(SKIN_RGB, np.float32)))


def test_bare_forearms_read_as_skin_and_sleeved_ones_do_not():
    assert forearm_skin(*_arms(SKIN_RGB), _skin()) >= BARE
    assert forearm_skin(*_arms(NAVY_RGB), _skin()) <= COVERED


def test_nothing_is_read_without_the_wearers_skin_or_a_forearm_in_view():
    assert forearm_skin(*_arms(SKIN_RGB), None) is None
    assert forearm_skin(*_arms(SKIN_RGB, visible=0.1), _skin()) is None  # the pose is not sure of the joints


@pytest.mark.parametrize(
    ("forearms", "allowed"),
    [
        (0.9, {"tshirt", "dress"}),  # short sleeves: no shirt, hoodie or jacket
        (0.05, {"shirt", "hoodie", "jacket", "dress"}),  # long sleeves: no T-shirt
        (0.35, {"tshirt", "shirt", "hoodie", "jacket", "dress"}),  # a watch, a cuff: nothing concluded
        (None, {"tshirt", "shirt", "hoodie", "jacket", "dress"}),
    ],
)
def test_the_sleeves_rule_out_the_types_of_the_other_length(forearms, allowed):
    assert sleeved_types(["tshirt", "shirt", "hoodie", "jacket", "dress"], forearms) == allowed
