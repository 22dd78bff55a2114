"""The pretrained models on real photos of people: faces, poses, face gender, and the whole scene."""

import numpy as np
import pytest
from PIL import Image

from detection import pose as lm
from detection.body import body_parts
from detection.boxes import iou_matrix
from detection.models.face_gender import face_gender_agegender, face_gender_cydral
from detection.models.faces import face_detector
from detection.models.pose import person_detector, pose_landmarker
from detection.scene import read_scene, shipped_models
from detection.sleeves import BARE, COVERED


def photo(real_photos, name):
    labels, path = real_photos[name]
    with Image.open(path) as image:
        return labels, image.convert("RGB")


def inside(point, box, slack=0.0):
    x, y = point
    x1, y1, x2, y2 = box
    sx, sy = (x2 - x1) * slack, (y2 - y1) * slack
    return x1 - sx <= x <= x2 + sx and y1 - sy <= y <= y2 + sy


def landscape() -> Image.Image:
    sky = np.zeros((480, 640, 3), np.uint8)
    sky[:300] = (135, 190, 235)
    sky[300:] = (70, 140, 60)
    return Image.fromarray(sky)


def test_the_face_detector_finds_the_face_on_the_head_and_none_in_a_landscape(real_photos):
    labels, image = photo(real_photos, "messi5.jpg")
    faces = face_detector().predict(image)
    assert len(faces) == 1
    x1, y1, x2, y2 = labels.person
    face = faces[0].box
    assert inside(((face.x1 + face.x2) / 2, (face.y1 + face.y2) / 2), (x1, y1, x2, y1 + 0.4 * (y2 - y1)))
    assert face_detector().predict(landscape()) == []


def test_the_pose_puts_the_feet_on_the_boots_and_sees_a_full_shot(real_photos):
    labels, image = photo(real_photos, "messi5.jpg")
    people = person_detector().predict(image)
    assert people, "the detector finds the player"
    pose = pose_landmarker().predict(image, people[0])
    assert pose is not None
    boots = next(g.box for g in labels.garments if g.category == "footwear")
    for ankle in (lm.LEFT_ANKLE, lm.RIGHT_ANKLE):
        assert inside(pose.points[ankle], boots, slack=0.1)
    assert body_parts(pose, *image.size).shot == "full shot"


def test_a_head_and_shoulders_portrait_shows_no_legs(real_photos):
    _, image = photo(real_photos, "obama.jpg")
    people = person_detector().predict(image)
    pose = pose_landmarker().predict(image, people[0])
    parts = body_parts(pose, *image.size)
    assert parts.torso and parts.head and not parts.legs and not parts.feet
    assert parts.shot == "upper body"


def test_the_landmark_model_sees_nobody_in_a_landscape():
    from detection.boxes import Box
    from detection.pose import Person

    assert person_detector().predict(landscape()) == []
    assert pose_landmarker().predict(landscape(), Person.from_box(Box("person", 1.0, 200, 50, 400, 450))) is None


@pytest.mark.parametrize("model", [face_gender_cydral, face_gender_agegender], ids=["cydral", "agegender"])
def test_a_face_gender_model_reads_most_labelled_faces_right(real_photos, model):
    right, total = 0, 0
    for labels, path in real_photos.values():
        if labels.person is None or labels.split != "dev":  # a photo of nobody; test photos are read elsewhere
            continue
        with Image.open(path) as opened:
            image = opened.convert("RGB")
        faces = [f for f in face_detector().predict(image) if inside(_centre(f.box), labels.person)]
        if not faces:
            continue
        face = max(faces, key=lambda f: f.box.width)
        p_women = model().predict(image, face).p_women
        right += (p_women >= 0.5) == (labels.gender == "women")
        total += 1
    assert total >= 10
    assert right / total >= 0.8


def _centre(box):
    return (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2


def test_the_scene_of_two_men_has_two_people_and_shops_the_one_seen_whole(real_photos):
    labels, image = photo(real_photos, "basketball1.png")
    scene = read_scene(image, shipped_models())
    assert len(scene.people) == 2
    main = scene.main
    assert inside(_centre(main.box), labels.person)
    assert {b.label for b, _ in main.garments} == {"topwear", "bottomwear", "footwear"}
    shoes = next(b for b, _ in main.garments if b.label == "footwear")
    assert inside(_centre(shoes), labels.person)  # on his feet, not on the chair


def test_a_portrait_reports_no_garment_that_is_out_of_the_frame(real_photos):
    _, image = photo(real_photos, "grace_hopper.jpg")
    scene = read_scene(image, shipped_models())
    assert [b.label for b, _ in scene.main.garments] == ["topwear"]
    assert scene.main.shot == "upper body"


def test_a_landscape_has_nobody_and_so_no_garments():
    scene = read_scene(landscape(), shipped_models())
    assert scene.people == ()


def test_the_person_masks_cover_the_person_and_not_the_pitch(real_photos):
    from detection.boxes import Box
    from detection.models.segmentation import person_segmenter

    labels, image = photo(real_photos, "messi5.jpg")
    shirt = next(g.box for g in labels.garments if g.category == "topwear")
    pose = pose_landmarker().predict(image, person_detector().predict(image)[0])
    selfie = person_segmenter().predict(image, Box("person", 1.0, 0, 0, image.width, image.height))
    for over in (pose.mask_over, selfie.over):
        on_shirt = over(shirt, 32, 32).mean()
        on_grass = over((0, 290, 120, 342), 32, 32).mean()  # the bottom left corner: turf only
        assert on_shirt > 0.5 and on_grass < 0.1, (on_shirt, on_grass)  # the labelled box is rough


def _reading(scene):
    return [(p.box, p.shot, p.garments, p.gender, p.face, p.facing) for p in scene.people]


def test_the_second_thread_changes_the_wait_not_the_reading(real_photos):
    _, image = photo(real_photos, "basketball1.png")  # two people: both threads carry several jobs
    timings: dict[str, float] = {}
    beside = read_scene(image, shipped_models(overlap=True), timings)
    assert _reading(beside) == _reading(read_scene(image, shipped_models(overlap=False)))
    assert {"people", "pose", "detect", "waited", "gender"} <= set(timings)


def test_a_model_that_fails_on_the_second_thread_fails_where_its_result_is_asked_for():
    from concurrent.futures import ThreadPoolExecutor

    from detection.threads import later

    def broken():
        raise RuntimeError("corrupt model")

    for pool in (ThreadPoolExecutor(max_workers=1), None):
        with pytest.raises(RuntimeError, match="corrupt model"):
            later(pool, broken).result()


def _without_check():
    models = shipped_models()
    models.find_objects = None
    return models


def test_two_men_blazepose_misses_are_found_by_the_coco_detector(real_photos):
    # given: two men in suits filling a landscape frame, whom BlazePose's detector does not find
    labels, image = photo(real_photos, "zidane.jpg")
    assert read_scene(image, _without_check()).people == ()
    # when
    scene = read_scene(image, shipped_models())
    # then: the labelled main person is among the people, with the jacket he wears
    boxes = np.array([p.box.as_tuple() for p in scene.people])
    overlap = iou_matrix(np.array([labels.person]), boxes)[0]
    assert overlap.max() >= 0.3
    assert "topwear" in {b.label for b, _ in scene.people[int(overlap.argmax())].garments}


@pytest.mark.parametrize("name", ["opencv_apple.jpg", "opencv_squirrel_cls.jpg", "skimage_chelsea.png"])
def test_fruit_a_squirrel_and_a_cat_give_no_garment(real_photos, name):
    labels, image = photo(real_photos, name)
    assert labels.person is None  # labelled: nobody
    assert read_scene(image, shipped_models()).people == ()


def test_a_dog_the_garment_detector_takes_for_a_person_is_vetoed():
    from detection.boxes import Box
    from detection.scene_people import candidates

    dog = Box("dog", 0.8, 100, 100, 300, 260)
    taken = Box("person", 0.36, 95, 90, 310, 270)  # the garment detector's guess on the dog
    walker = Box("person", 0.6, 400, 50, 460, 250)  # somebody only the COCO detector saw
    image = Image.new("RGB", (640, 320))
    found = candidates(image, [], [taken, Box("topwear", 0.5, 120, 120, 280, 200)], [dog, walker])
    assert [b for _, b in found] == [walker]
    assert [b for _, b in candidates(image, [], [taken], None)] == [taken]  # not asked: nothing vetoed


def test_the_wearers_skin_is_read_beside_the_nose(real_photos):
    _, image = photo(real_photos, "messi5.jpg")
    skin = read_scene(image, shipped_models()).main.skin
    assert skin is not None
    lightness, a, b = skin
    assert 25 < lightness < 90 and a > 3 and b > 5  # a warm, mid-light tone, not the pitch or the shirt


def test_short_sleeves_show_skin_along_the_forearms_and_a_suits_do_not(real_photos):
    bare = read_scene(photo(real_photos, "messi5.jpg")[1], shipped_models()).main.forearms
    covered = read_scene(photo(real_photos, "obama3.jpg")[1], shipped_models()).main.forearms
    assert bare is not None and bare >= BARE  # a football shirt
    assert covered is not None and covered <= COVERED  # a suit
