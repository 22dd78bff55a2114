"""What a photo shows: its people, the main one first, each with pose, shot, facing, garments and gender.

The one place the run-time models meet: the garment detector (YOLO), BlazePose (people, landmarks,
person mask), BlazeFace and the face gender classifiers, and the body gender classifier as the
last resort. The worker, the evaluation commands and the tests all read photos through here.

Some models run beside the others on a second thread, since LiteRT lets go of Python's lock while
a model runs: the pose detector and the landmarks beside the garment detector, and each person's
gender (body classifier, then faces if needed) beside the garment regions and their embedding.
The reading is the same either way; only the wait is shorter.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from .body import HALF_SEEN, WORN_ON, body_parts, facing, fused, pose_regions, tightened
from .boxes import Box, iou_matrix
from .faces import Face
from .garment_colours import skin_colour
from .outfit import pick_garments
from .person_boxes import MISTAKEN_FOR_PEOPLE, PERSON
from .pose import LEFT_EYE, LEFT_HIP, LEFT_SHOULDER, NOSE, RIGHT_EYE, RIGHT_HIP, RIGHT_SHOULDER, Person, Pose
from .segmentation import PersonMask
from .sleeves import forearm_skin

MAX_PEOPLE = 4  # people read in one photo (the biggest, most central first): a crowd is not an outfit
FACE_SURE = 0.2  # a face model's P(women) at least this far from 0.5 is a vote
FACE_LEANS = 0.1  # ... and this far, a lean that vetoes a vote the other way
BODY_SURE = 0.3  # the body classifier, trained on synthetic figures, decides only when this sure
MASK_SIDE = 48  # the person mask is sampled this finely over a region to tighten it


@dataclass(frozen=True)
class GenderReading:
    """Whom to shop for: P(women) and where it was read ("face", "figure" or "unsure" when nothing is sure)."""

    p_women: float | None
    source: str

    @property
    def label(self) -> str:
        """'men', 'women', or '' when unsure (then both partitions are searched)."""
        if self.source == "unsure" or self.p_women is None:
            return ""
        return "women" if self.p_women >= 0.5 else "men"


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
    # nobody (see `_needs_person_check`); it vetoes a person on a dog and adds the people BlazePose missed.
    find_objects: Callable[[Image.Image], list[Box]] | None = None


_BACKGROUND: ThreadPoolExecutor | None = None


def _forget_background() -> None:
    global _BACKGROUND
    _BACKGROUND = None  # a forked child (a Celery pool process) has no copy of the parent's thread


os.register_at_fork(after_in_child=_forget_background)


def background_thread() -> ThreadPoolExecutor:
    """The process's one thread for models that run beside the others; one, so no model runs twice at once."""
    global _BACKGROUND
    if _BACKGROUND is None:
        _BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scene")
    return _BACKGROUND


def later(pool: Executor | None, fn: Callable, *args) -> Future:
    """`fn(*args)` on `pool`, or at once (as a finished future) without one."""
    if pool is not None:
        return pool.submit(fn, *args)
    done: Future = Future()
    try:
        done.set_result(fn(*args))
    except Exception as exc:  # raised again where the result is asked for, as from a thread
        done.set_exception(exc)
    return done


def shipped_models(overlap: bool = True) -> SceneModels:
    """Every model from weights/, loaded once per process; `overlap` runs two of them on a second thread."""
    from .face_gender import face_gender_agegender, face_gender_cydral
    from .faces import face_detector
    from .garments import garment_detector
    from .gender import gender_classifier
    from .person_boxes import person_boxes
    from .pose import person_detector, pose_landmarker

    detector = garment_detector()
    return SceneModels(
        detect_garments=detector.detect,
        find_people=person_detector().people,
        read_pose=pose_landmarker().pose,
        find_faces=face_detector().detect,
        face_genders=(face_gender_cydral().p_women, face_gender_agegender().p_women),
        body_gender=lambda image, box: gender_classifier().classify(image, box).p_women,
        garments=detector.garment_classes,
        background=background_thread() if overlap else None,
        find_objects=person_boxes().detect,
    )


def _prominence(box: Box, width: int, height: int) -> float:
    """How much a person is what the photo is about: big, and near the middle."""
    area = box.width * box.height / (width * height)
    off_centre = abs((box.x1 + box.x2) / 2 / width - 0.5)
    return area * (1.0 - off_centre)


def _person_box(pose: Pose, width: int, height: int) -> Box:
    """The person's outline from the landmarks seen in the photo, with room for hair, hands and shoes."""
    seen = pose.points[(pose.visibility >= HALF_SEEN)]
    if len(seen) == 0:
        seen = pose.points
    shoulders = (pose.points[LEFT_SHOULDER] + pose.points[RIGHT_SHOULDER]) / 2
    hips = (pose.points[LEFT_HIP] + pose.points[RIGHT_HIP]) / 2
    torso = float(np.linalg.norm(shoulders - hips)) or 1.0
    x1, y1 = seen.min(0)
    x2, y2 = seen.max(0)
    return Box("person", pose.score, x1 - 0.25 * torso, y1 - 0.4 * torso, x2 + 0.25 * torso, y2 + 0.15 * torso).clipped(
        width, height
    )


def _face_of(pose: Pose | None, box: Box, faces: list[Face]) -> Face | None:
    """The face that belongs to this person: the one over the nose landmark, else the highest in their box."""
    if pose is not None:
        nx, ny = pose.points[NOSE]
        for face in faces:
            f, mx, my = face.box, face.box.width / 4, face.box.height / 4
            if f.x1 - mx <= nx <= f.x2 + mx and f.y1 - my <= ny <= f.y2 + my:
                return face
    top = box.y1 + 0.45 * box.height  # a face is in the upper part of a person's box
    inside = [f for f in faces if box.x1 <= (f.box.x1 + f.box.x2) / 2 <= box.x2 and box.y1 <= f.box.y1 <= top]
    return min(inside, key=lambda f: f.box.y1, default=None)


def head_faces(image: Image.Image, pose: Pose, find_faces: Callable[[Image.Image], list[Face]]) -> list[Face]:
    """Faces looked for again in a close crop of the head: the full-range detector misses small faces.

    The crop is centred on the nose and as wide as the shoulders, so a head that fills 20 pixels
    of a group photo fills a good share of the detector's input.
    """
    shoulders = float(np.linalg.norm(pose.points[LEFT_SHOULDER] - pose.points[RIGHT_SHOULDER]))
    side = max(48.0, 1.6 * shoulders)
    nx, ny = (float(v) for v in pose.points[NOSE])
    x1, y1 = max(0.0, nx - side / 2), max(0.0, ny - side / 2)
    x2, y2 = min(float(image.width), nx + side / 2), min(float(image.height), ny + side / 2)
    if x2 - x1 < 16 or y2 - y1 < 16:
        return []
    crop = image.crop((round(x1), round(y1), round(x2), round(y2)))
    return [f.shifted(round(x1), round(y1)) for f in find_faces(crop)]


def body_is_sure(p_body: float) -> bool:
    return abs(p_body - 0.5) >= BODY_SURE


def read_gender(face_votes: Sequence[float], p_body: float) -> GenderReading:
    """The figure when it is nearly certain; else the face, when the face models agree; else not sure.

    The face models agree when at least one is sure (P(women) at least FACE_SURE from 0.5) and none
    leans the other way. A nearly certain figure comes first because it was never wrong where the
    faces were right, measured: drawn faces fool both face models (they agree on the wrong answer
    for most synthetic figures), and a real photo's figure is rarely that certain.
    """
    if body_is_sure(p_body):
        return GenderReading(p_body, "figure")
    if _face_side(face_votes) is not None:
        return GenderReading(float(np.mean(face_votes)), "face")
    return GenderReading(float(np.mean(face_votes)) if face_votes else p_body, "unsure")


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


def _face_side(votes: Sequence[float]) -> bool | None:
    """True for women, False for men, None when the face models do not agree."""
    sure = {p >= 0.5 for p in votes if abs(p - 0.5) >= FACE_SURE}
    if len(sure) != 1:
        return None
    side = sure.pop()
    if any((p >= 0.5) != side and abs(p - 0.5) >= FACE_LEANS for p in votes):
        return None
    return side


PERSON_OVERLAP = 0.3  # IoU at which two people boxes (or a box and a pose's outline) are one person
# BlazePose's detector and landmark scores under which a read pose is checked by the COCO detector: a
# horse's pose was read at 0.73 and 0.87, while most people are read at 0.9 and 1.0 (the real dev split).
SURE_PERSON, SURE_POSE = 0.8, 0.9


def _needs_person_check(outlines: list[Box], boxes: list[Box], unsure: bool) -> bool:
    """Whether to ask the COCO detector: when no pose was read, when a read pose is `unsure` (BlazePose reads
    a pose on a horse with less confidence than on a person), or when the garment detector saw a person no
    read pose explains (a dog it took for one, or somebody BlazePose missed). A photo whose people the two
    agree on, surely, is not checked again: most photos, and the check costs as much as the garment detector."""
    if not outlines or unsure:
        return True
    return any(not _same_person(b, outlines) for b in boxes if b.label == "person")


def _same_person(box: Box, others: list[Box]) -> bool:
    """Whether `box` is one of `others`' people: they overlap enough, or one holds the other's centre."""
    for other in others:
        if _overlaps(box, [other]) or _holds(box, _centre(other)) or _holds(other, _centre(box)):
            return True
    return False


def _centre(box: Box) -> tuple[float, float]:
    return (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2


def _something_else(box: Box, checked: list[Box]) -> bool:
    """Whether the COCO detector saw something often taken for a person where `box` is, and no person there:
    a person box or a pose on a dog, a horse or fruit. Where it saw nothing of the kind, the person stays (it
    was trained on real photos and misses some people, drawn ones most)."""
    people = [b for b in checked if b.label == PERSON]
    things = [b for b in checked if b.label in MISTAKEN_FOR_PEOPLE]
    return not _same_person(box, people) and _same_person(box, things)


def _holds(box: Box, point: tuple[float, float]) -> bool:
    return box.x1 <= point[0] <= box.x2 and box.y1 <= point[1] <= box.y2


def _overlaps(box: Box, others: list[Box]) -> bool:
    return bool(others) and float(iou_matrix([box.as_tuple()], [o.as_tuple() for o in others]).max()) >= PERSON_OVERLAP


def _candidates(
    image: Image.Image,
    found: list[Person],
    boxes: list[Box],
    checked: list[Box] | None = None,
    outlines: dict[int, Box] | None = None,
) -> list[tuple[Person, Box | None]]:
    """People from the pose detector, each with the garment detector's person box around them if there is one,
    plus any person box of the garment detector that the pose detector missed.

    With `checked` (the COCO detector's findings, when it was asked), a garment detector's person box counts
    only over a person it found too, and each person it found that no candidate covers is a candidate too.
    """
    detector_people = [b for b in boxes if b.label == "person"]
    outlines = outlines or {}
    if checked is not None:
        # The garment detector learned "person" from rendered figures: on a real photo its person counts
        # only where the COCO detector saw one too (its own box is kept: it fits the garments it found).
        coco_people = [b for b in checked if b.label == PERSON]
        detector_people = [b for b in detector_people if _same_person(b, coco_people)]

    def around(p: Person) -> Box | None:
        covering = [b for b in detector_people if _holds(b, p.hips)]
        return max(covering, key=lambda b: b.score, default=None)

    people = [(p, around(p)) for p in found]
    taken = {id(b) for _, b in people if b is not None}
    people += [(Person.from_box(b), b) for b in detector_people if id(b) not in taken]
    if checked is not None:
        covered = [b or outlines.get(id(p), p.box) for p, b in people]
        people += [(Person.from_box(b), b) for b in coco_people if not _same_person(b, covered)]
    w, h = image.size
    people.sort(key=lambda c: _prominence(c[1] or c[0].box, w, h), reverse=True)
    return people[:MAX_PEOPLE]


@contextmanager
def timed(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    """Adds the milliseconds the block took to `timings[stage]` (nothing when timings is None)."""
    start = time.perf_counter()
    yield
    if timings is not None:
        timings[stage] = round(timings.get(stage, 0.0) + (time.perf_counter() - start) * 1000, 1)


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
    outlines = {id(p): _person_box(poses[id(p)], w, h) for p in people if poses.get(id(p)) is not None}
    unsure = any(p.score < SURE_PERSON or poses[id(p)].score < SURE_POSE for p in people if id(p) in outlines)
    if models.find_objects is not None and _needs_person_check(list(outlines.values()), boxes, unsure):
        with timed(timings, "people check"):
            checked = models.find_objects(image)
        people = [p for p in people if id(p) not in outlines or not _something_else(outlines[id(p)], checked)]
    faces = _Faces(image, models.find_faces, timings)
    seen = []
    for person, detector_box in _candidates(image, people, boxes, checked, outlines):
        if id(person) in poses:
            pose = poses[id(person)]
        else:  # a person only the garment detector saw
            with timed(timings, "pose"):
                pose = models.read_pose(image, person)
        if pose is None and detector_box is None:
            continue  # the pose detector's guess, not confirmed by the landmark model
        seen.append(_read_person(image, models, boxes, faces, pose, detector_box, timings))
    # Whose pose could be read comes first: a person the landmark model cannot read is mostly out of view.
    seen.sort(key=lambda s: (s.shot != "unknown", _prominence(s.box, w, h)), reverse=True)
    return Scene(w, h, tuple(seen))


def _people_and_poses(image: Image.Image, models: SceneModels, timings) -> tuple[list[Person], dict[int, Pose | None]]:
    """The pose detector's people, and the poses of the MAX_PEOPLE most prominent (by id), which need no garments."""
    w, h = image.size
    with timed(timings, "people"):
        people = models.find_people(image)
    first = sorted(people, key=lambda p: _prominence(p.box, w, h), reverse=True)[:MAX_PEOPLE]
    with timed(timings, "pose"):
        return people, {id(p): models.read_pose(image, p) for p in first}


def _read_person(image, models, boxes, faces, pose, detector_box, timings) -> SeenPerson:
    w, h = image.size
    box = _person_box(pose, w, h) if pose is not None else detector_box
    detected = {b.label: b for b in pick_garments(boxes, box, models.garments)}
    whom = later(models.background, _whom, image, models, faces, pose, box, timings)
    if pose is None:  # a person only the garment detector saw: its boxes are all there is
        return SeenPerson(box, "unknown", tuple((b, "detector") for b in detected.values()), whom)
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
        face = _face_of(pose, box, faces.all())
        if face is None and pose is not None and pose.seen(NOSE):
            with timed(timings, "faces"):
                face = _face_of(pose, box, head_faces(image, pose, models.find_faces))
    with timed(timings, "gender"):
        gender = read_gender([p(image, face) for p in models.face_genders] if face is not None else [], p_body)
    return Whom(gender, face.box if face else None, facing(pose, face is not None) if pose is not None else "unknown")
