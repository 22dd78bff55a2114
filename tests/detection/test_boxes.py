"""The NumPy geometry of the run-time path: IoU, NMS and letterboxing."""

import numpy as np
import pytest
from PIL import Image

from detection.boxes import iou_matrix, letterbox, nms


def test_iou_matrix():
    a = np.array([[0, 0, 10, 10]])
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]])
    assert iou_matrix(a, b)[0] == pytest.approx([1.0, 50 / 150, 0.0])


def test_nms_keeps_the_best_of_each_overlapping_group():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]], float)
    scores = np.array([0.9, 0.8, 0.7, 0.95])
    assert list(nms(boxes, scores, 0.5)) == [3, 2]
    assert list(nms(boxes, scores, 0.95)) == [3, 0, 1, 2]


def test_letterbox_pads_evenly_and_maps_boxes_back():
    photo = Image.new("RGB", (400, 200), "red")
    batch, lb = letterbox(photo, 320)
    assert batch.shape == (320, 320, 3) and batch.dtype == np.float32
    assert lb.scale == 0.8 and (lb.pad_x, lb.pad_y) == (0, 80)
    assert batch[0, 0].tolist() == pytest.approx([114 / 255] * 3)  # padding
    assert batch[160, 160].tolist() == pytest.approx([1.0, 0.0, 0.0])  # photo
    # a box over the photo's right half, in model coordinates, maps back to photo pixels
    back = lb.to_photo(np.array([[160, 80, 320, 240]]), 400, 200)
    assert back[0] == pytest.approx([200, 0, 400, 200])


def test_other_garments_are_blanked_where_they_reach_the_crop_and_the_photo_is_untouched():
    from detection.boxes import CROP_MARGIN, SQUARE_FILL, fit_crop

    photo = Image.new("RGB", (100, 200), (200, 30, 30))
    top, trousers, far = (20, 20, 80, 100), (25, 90, 75, 180), (0, 195, 10, 200)
    # the window is the top with its margin: 55 x 93 pixels, cropped at its own size
    margin_x, margin_y = round(60 * CROP_MARGIN), round(80 * CROP_MARGIN)
    height, width = 80 + 2 * margin_y, 60 + 2 * margin_x
    crop = np.round(fit_crop(photo, top, height, width, [trousers, far]) * 255)
    # the trousers' box is grey inside the top's window, its overlap with the top's box too
    assert (crop[90 - 20 + margin_y :, 25 - 20 + margin_x : 75 - 20 + margin_x] == SQUARE_FILL).all()
    # the top's own pixels above the overlap are untouched, and so is the photo
    assert (crop[: 90 - 20 + margin_y, :] == (200, 30, 30)).all()
    assert (np.asarray(photo) == (200, 30, 30)).all()
    # nothing to blank in reach: the same crop as without
    assert np.array_equal(fit_crop(photo, top, height, width, [far]), fit_crop(photo, top, height, width))
