"""What a photo shows: its people, the main one first, each with pose, shot, facing, garments and gender.

The one place the run-time models meet: the garment detector (YOLO), BlazePose (people, landmarks,
person mask), BlazeFace and the face gender classifiers, and the body gender classifier as the
last resort. The worker, the evaluation commands and the tests all read photos through here.

Some models run beside the others on a second thread, since LiteRT lets go of Python's lock while
a model runs: the pose detector and the landmarks beside the garment detector, and each person's
gender (body classifier, then faces if needed) beside the garment regions (the pipeline then
embeds the garments there too, while it reads their colours and names).
The reading is the same either way; only the wait is shorter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from .body import HALF_SEEN, WORN_ON, body_parts, facing, fused, pose_regions, tightened
from .boxes import Box
from .garment_colours import skin_colour
from .gender_reading import GenderReading, body_is_sure, face_of, head_faces, read_gender
from .models.faces import Face
from .models.segmentation import PersonMask
from .outfit import layout_garments, pick_garments
from .pose import LEFT_EYE, NOSE, RIGHT_EYE, Person, Pose
from .scene_people import (
    MAX_PEOPLE,
    SURE_PERSON,
    SURE_POSE,
    candidates,
    needs_person_check,
    person_box,
    prominence,
    something_else,
)
from .sleeves import forearm_skin
from .threads import background_thread, later, timed

MASK_SIDE = 48  # the person mask is sampled this finely over a region to tighten it


@dataclass(frozen=True)
class Whom:
    """Who a person is, as far as the look needs: the gender reading, the face it came from, and the facing."""

    gender: GenderReading
    face: Box | None
    facing: str  # "front", "back", "side" or "unknown"


@dataclass(frozen=True)
class SeenPerson:
    box: Box
    shot: str  # BodyParts.shot, or "unknown" without a pose
    garments: tuple[tuple[Box, str], ...]  # (box, source): "detector", "pose" or "layout"
    whom: Future[Whom]  # read beside the rest: asking for gender, face or facing waits for it
    # The person mask over any photo window, while the photo is at hand (not stored with the look).
    mask_over: Callable[[tuple[float, float, float, float], int, int], np.ndarray] | None = None
    skin: tuple[float, float, float] | None = None  # CIELAB beside the nose, when the face is seen
    forearms: float | None = None  # the share of skin along a forearm (sleeves.forearm_skin)

    @property
    def gender(self) -> GenderReading:
        return self.whom.result().gender

    @property
    def face(self) -> Box | None:
        return self.whom.result().face

    @property
    def facing(self) -> str:
        return self.whom.result().facing


@dataclass(frozen=True)
class Scene:
    width: int
    height: int
    people: tuple[SeenPerson, ...] = field(default_factory=tuple)  # the main person first

    @property
    def main(self) -> SeenPerson | None:
        return self.people[0] if self.people else None


@dataclass
class SceneModels:
    """The loaded models a scene is read with (the registry's wrappers, or stand-ins in a test)."""

    detect_garments: Callable[[Image.Image], list[Box]]
    find_people: Callable[[Image.Image], list[Person]]
    read_pose: Callable[[Image.Image, Person], Pose | None]
    find_faces: Callable[[Image.Image], list[Face]]
    face_genders: Sequence[Callable[[Image.Image, Face], float]]
    body_gender: Callable[[Image.Image, tuple[float, float, float, float]], float]
    garments: Sequence[str]
    # The person mask that tightens garment regions: the selfie segmenter over the person's box,
    # or (None) the mask the pose landmark model gives for free.
    segment: Callable[[Image.Image, Box], PersonMask] | None = None
    # Where the pose detector and the gender reading run beside the rest (None: one after another).
    background: Executor | None = None
    # A detector of COCO's 80 classes trained on real photos: asked only when the others disagree or find
    # nobody (see `needs_person_check`); it vetoes a person on a dog and adds the people BlazePose missed.
    find_objects: Callable[[Image.Image], list[Box]] | None = None


def _p_women(model) -> Callable[..., float]:
    """A gender classifier's P(women), as the gender policy reads it (the face's or the figure's)."""
    return lambda image, where: model.predict(image, where).p_women


def shipped_models(overlap: bool = True) -> SceneModels:
    """Every model from weights/, loaded once per process; `overlap` runs two of them on a second thread."""
    from .models.face_gender import face_gender_agegender, face_gender_cydral
    from .models.faces import face_detector
    from .models.garments import garment_detector
    from .models.gender import gender_classifier
    from .models.person_boxes import person_boxes
    from .models.pose import person_detector, pose_landmarker

    detector = garment_detector()
    return SceneModels(
        detect_garments=detector.predict,
        find_people=person_detector().predict,
        read_pose=pose_landmarker().predict,
        find_faces=face_detector().predict,
        face_genders=tuple(_p_women(m()) for m in (face_gender_cydral, face_gender_agegender)),
        body_gender=_p_women(gender_classifier()),
        garments=detector.garment_classes,
        background=background_thread() if overlap else None,
        find_objects=person_boxes().predict,
    )


class _Faces:
    """The faces of the whole photo, found the first time a person needs them (a sure figure never does)."""

    def __init__(self, image: Image.Image, find: Callable[[Image.Image], list[Face]], timings):
        self.image, self.find, self.timings = image, find, timings
        self._found: list[Face] | None = None

    def all(self) -> list[Face]:
        if self._found is None:
            with timed(self.timings, "faces"):
                self._found = self.find(self.image)
        return self._found


def read_scene(image: Image.Image, models: SceneModels, timings: dict[str, float] | None = None) -> Scene:
    """Every person in the photo, the main one first; a photo with nobody in it has no garments.

    Each stage's time in `timings` is its own, whichever thread ran it; "waited" is how long
    this thread waited for the other.
    """
    w, h = image.size
    found = later(models.background, _people_and_poses, image, models, timings)
    with timed(timings, "detect"):
        boxes = models.detect_garments(image)
    with timed(timings, "waited"):
        people, poses = found.result()
    checked = None
    outlines = {id(p): person_box(poses[id(p)], w, h) for p in people if poses.get(id(p)) is not None}
    unsure = any(p.score < SURE_PERSON or poses[id(p)].score < SURE_POSE for p in people if id(p) in outlines)
    if models.find_objects is not None and needs_person_check(list(outlines.values()), boxes, unsure):
        with timed(timings, "people check"):
            checked = models.find_objects(image)
        people = [p for p in people if id(p) not in outlines or not something_else(outlines[id(p)], checked)]
    faces = _Faces(image, models.find_faces, timings)
    seen = []
    for person, detector_box in candidates(image, people, boxes, checked, outlines):
        if id(person) in poses:
            pose = poses[id(person)]
        else:  # a person only the garment detector saw
            with timed(timings, "pose"):
                pose = models.read_pose(image, person)
        if pose is None and detector_box is None:
            continue  # the pose detector's guess, not confirmed by the landmark model
        seen.append(_read_person(image, models, boxes, faces, pose, detector_box, timings))
    # Whose pose could be read comes first: a person the landmark model cannot read is mostly out of view.
    seen.sort(key=lambda s: (s.shot != "unknown", prominence(s.box, w, h)), reverse=True)
    return Scene(w, h, tuple(seen))


def _people_and_poses(image: Image.Image, models: SceneModels, timings) -> tuple[list[Person], dict[int, Pose | None]]:
    """The pose detector's people, and the poses of the MAX_PEOPLE most prominent (by id), which need no garments."""
    w, h = image.size
    with timed(timings, "people"):
        people = models.find_people(image)
    first = sorted(people, key=lambda p: prominence(p.box, w, h), reverse=True)[:MAX_PEOPLE]
    with timed(timings, "pose"):
        return people, {id(p): models.read_pose(image, p) for p in first}


def _read_person(image, models, boxes, faces, pose, detector_box, timings) -> SeenPerson:
    w, h = image.size
    box = person_box(pose, w, h) if pose is not None else detector_box
    detected = {b.label: b for b in pick_garments(boxes, box, models.garments)}
    whom = later(models.background, _whom, image, models, faces, pose, box, timings)
    if pose is None:  # a person only the garment detector saw: its boxes are all there is
        garments = [(b, "detector") for b in detected.values()]
        # ... and without any, regions estimated from the person's box: something to shop, labelled as such.
        garments = garments or [(b, "layout") for b in layout_garments(box, h)]
        return SeenPerson(box, "unknown", tuple(garments), whom)
    parts = body_parts(pose, w, h)
    half = body_parts(pose, w, h, HALF_SEEN)
    half_seen = frozenset(c for c in WORN_ON if half.shows(c) and not parts.shows(c))
    with timed(timings, "regions"):
        mask_over = models.segment(image, box).over if models.segment else pose.mask_over
        raw = pose_regions(pose, half, w, h, HALF_SEEN)
        regions = {c: tightened(r, mask_over(r.as_tuple(), MASK_SIDE, MASK_SIDE)) for c, r in raw.items()}
    skin = None
    if all(pose.seen(j) for j in (NOSE, LEFT_EYE, RIGHT_EYE)):
        skin = skin_colour(
            image, pose.points[NOSE], float(np.linalg.norm(pose.points[LEFT_EYE] - pose.points[RIGHT_EYE]))
        )
    forearms = forearm_skin(image, pose, skin)
    return SeenPerson(box, parts.shot, tuple(fused(regions, detected, box, half_seen)), whom, mask_over, skin, forearms)


def _whom(image: Image.Image, models: SceneModels, faces: _Faces, pose: Pose | None, box: Box, timings) -> Whom:
    """The body classifier's reading, and the face's when the figure is not sure (see read_gender)."""
    with timed(timings, "gender"):
        p_body = models.body_gender(image, box.as_tuple())
    face = None
    if not body_is_sure(p_body):
        face = face_of(pose, box, faces.all())
        if face is None and pose is not None and pose.seen(NOSE):
            with timed(timings, "faces"):
                face = face_of(pose, box, head_faces(image, pose, models.find_faces))
    with timed(timings, "gender"):
        gender = read_gender([p(image, face) for p in models.face_genders] if face is not None else [], p_body)
    return Whom(gender, face.box if face else None, facing(pose, face is not None) if pose is not None else "unknown")
