"""The scene's garments for a person no pose could be read for: the detector's boxes, else regions by body layout."""

from PIL import Image

from detection.boxes import Box
from detection.scene import SceneModels, read_scene
from detection.taxonomy import CATEGORY_NAMES


def models_seeing(boxes: list[Box]) -> SceneModels:
    """Stand-ins: the garment detector finds `boxes`; the pose models, the faces and the COCO check find nothing."""
    return SceneModels(
        detect_garments=lambda image: list(boxes),
        find_people=lambda image: [],
        read_pose=lambda image, person: None,
        find_faces=lambda image: [],
        face_genders=(),
        body_gender=lambda image, box: 0.2,
        garments=CATEGORY_NAMES,
    )


PERSON = Box("person", 0.9, 100, 50, 300, 750)


def test_a_person_only_the_detector_saw_without_garments_gets_regions_by_body_layout():
    scene = read_scene(Image.new("RGB", (400, 800), "grey"), models_seeing([PERSON]))

    (person,) = scene.people
    assert person.shot == "unknown"
    assert [(b.label, src) for b, src in person.garments] == [(c, "layout") for c in CATEGORY_NAMES]
    top = person.garments[0][0]
    # the top is worn from 14% to 55% of the person's height (detection/taxonomy.json)
    assert (top.x1, top.x2) == (100, 300) and round(top.y1) == 50 + round(0.14 * 700) and round(top.y2) == 435


def test_a_person_only_the_detector_saw_keeps_its_garment_boxes_and_gets_no_layout():
    shoe = Box("footwear", 0.7, 150, 700, 250, 750)

    (person,) = read_scene(Image.new("RGB", (400, 800), "grey"), models_seeing([PERSON, shoe])).people

    assert [(b.label, src) for b, src in person.garments] == [("footwear", "detector")]
