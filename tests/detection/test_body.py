"""What a pose says about an outfit: visible parts and shot, facing, garment regions, and the fusion with YOLO."""

import numpy as np
import pytest

from detection import pose as lm
from detection.body import agrees, body_parts, facing, fused, pose_regions
from detection.boxes import Box
from detection.gender_reading import GenderReading, read_gender
from detection.pose import Pose, Roi

W, H = 400, 800


def standing(shift_y: float = 0.0, visible: float = 0.99, mirrored: bool = False) -> Pose:
    """A person standing upright in a 400 x 800 photo, facing the camera (or their back to it)."""
    points = np.zeros((lm.LANDMARKS, 2))
    side = -1 if mirrored else 1
    joints = {
        lm.NOSE: (200, 80),
        lm.LEFT_EYE: (210, 70),
        lm.RIGHT_EYE: (190, 70),
        lm.LEFT_SHOULDER: (200 + 60 * side, 160),
        lm.RIGHT_SHOULDER: (200 - 60 * side, 160),
        lm.LEFT_ELBOW: (200 + 75 * side, 280),
        lm.RIGHT_ELBOW: (200 - 75 * side, 280),
        lm.LEFT_HIP: (200 + 40 * side, 400),
        lm.RIGHT_HIP: (200 - 40 * side, 400),
        lm.LEFT_KNEE: (200 + 40 * side, 560),
        lm.RIGHT_KNEE: (200 - 40 * side, 560),
        lm.LEFT_ANKLE: (200 + 40 * side, 720),
        lm.RIGHT_ANKLE: (200 - 40 * side, 720),
        lm.LEFT_HEEL: (200 + 40 * side, 735),
        lm.RIGHT_HEEL: (200 - 40 * side, 735),
        lm.LEFT_TOE: (200 + 55 * side, 750),
        lm.RIGHT_TOE: (200 - 55 * side, 750),
    }
    for i, (x, y) in joints.items():
        points[i] = (x, y + shift_y)
    return Pose(points, np.full(lm.LANDMARKS, visible), 1.0, Roi(200, 400, 800, 0.0), np.ones((8, 8)))


def test_a_whole_person_is_a_full_shot_with_three_garment_regions_in_order_down_the_body():
    pose = standing()
    parts = body_parts(pose, W, H)
    assert parts.shot == "full shot"
    regions = pose_regions(pose, parts, W, H)
    assert list(regions) == ["topwear", "bottomwear", "footwear"]
    top, bottom, feet = regions.values()
    assert top.y1 < bottom.y1 < feet.y1
    assert top.y1 <= 160 <= top.y2 and bottom.y1 <= 560 <= bottom.y2 and feet.y1 <= 735 <= feet.y2


def test_a_person_cut_at_the_waist_has_only_a_top():
    pose = standing(shift_y=450)  # everything below the hips is out of the frame
    parts = body_parts(pose, W, H)
    assert (parts.torso, parts.legs, parts.feet) == (True, False, False)
    assert parts.shot == "upper body"
    assert list(pose_regions(pose, parts, W, H)) == ["topwear"]


def test_joints_the_model_is_unsure_of_do_not_count_as_seen():
    assert body_parts(standing(visible=0.2), W, H).shot == "partial"


def test_facing_front_back_and_side():
    assert facing(standing(), face_found=True) == "front"
    assert facing(standing(mirrored=True), face_found=False) == "back"
    side = standing()
    side.points[lm.LEFT_SHOULDER] = side.points[lm.RIGHT_SHOULDER] + (20, 0)
    assert facing(side, face_found=True) == "side"


def test_a_detector_box_stands_where_it_agrees_with_the_pose_and_a_shoe_on_a_chair_does_not():
    person = Box("person", 1.0, 100, 20, 300, 790)
    regions = {"topwear": Box("topwear", 0, 120, 140, 280, 430), "footwear": Box("footwear", 0, 130, 700, 270, 770)}
    detected = {
        "topwear": Box("topwear", 0.9, 125, 150, 275, 420),  # the same garment, tighter
        "footwear": Box("footwear", 0.4, 310, 600, 390, 640),  # beside the person: a chair leg
    }
    assert agrees(detected["topwear"], regions["topwear"], person)
    assert not agrees(detected["footwear"], regions["footwear"], person)
    out = dict((b.label, (b, source)) for b, source in fused(regions, detected, person))
    assert out["topwear"] == (detected["topwear"], "detector")
    assert out["footwear"] == (regions["footwear"], "pose")


def test_a_detector_box_that_also_covers_the_head_is_not_the_top():
    person = Box("person", 1.0, 0, 0, 400, 800)
    region = Box("topwear", 0, 120, 140, 280, 430)
    assert not agrees(Box("topwear", 0.8, 60, 0, 340, 430), region, person)


@pytest.mark.parametrize(
    ("faces", "body", "expected"),
    [
        ([0.02, 0.05], 0.6, GenderReading(0.035, "face")),  # both face models agree
        ([0.45, 0.88], 0.5, GenderReading(0.665, "face")),  # one sure, the other has no opinion
        ([0.05, 0.97], 0.95, GenderReading(0.95, "figure")),  # the faces disagree; the figure is sure
        ([0.05, 0.97], 0.6, GenderReading(0.51, "unsure")),  # the faces disagree; nothing is sure
        ([0.66, 0.29], 0.45, GenderReading(0.475, "unsure")),  # a vote vetoed by a lean the other way
        ([0.98, 0.96], 0.05, GenderReading(0.05, "figure")),  # a nearly certain figure comes first
        ([], 0.6, GenderReading(0.6, "unsure")),  # no face, an unsure figure
    ],
)
def test_gender_is_read_from_a_sure_figure_else_from_agreeing_faces(faces, body, expected):
    reading = read_gender(faces, body)
    assert reading.source == expected.source
    assert reading.p_women == pytest.approx(expected.p_women)
    assert reading.label == ("" if expected.source == "unsure" else ("women" if expected.p_women >= 0.5 else "men"))
