"""Whether a person's forearms show skin: what tells a T-shirt from a shirt, a hoodie or a jacket on a real photo.

The ImageNet namer (detection.models.garment_names) has one class for T-shirts ("jersey") and eight for
jackets, so on real photos it calls many short-sleeved tops jackets. A sleeve's length is plain to
see instead: the skin along each forearm the pose shows, as the wearer's own skin colour (read
beside the nose) within `garment_colours.SKIN_DISTANCE`. On the real dev split's main people, the
forearms of every jacket showed at most 0.07 skin; those of T-shirts mostly 0.6 to 1.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from PIL import Image

from .garment_colours import SKIN_DISTANCE, lab
from .pose import LEFT_ELBOW, LEFT_WRIST, RIGHT_ELBOW, RIGHT_WRIST, Pose

# Shares of a forearm's pixels that are skin: above BARE the sleeves are short, below COVERED long, and
# between the two (a watch, a rolled cuff, a shadow) nothing is concluded. Chosen on the dev split.
BARE, COVERED = 0.5, 0.2
SHORT_SLEEVED = frozenset({"tshirt"})  # types whose sleeves leave the forearm bare (a dress may or may not)
LONG_SLEEVED = frozenset({"shirt", "hoodie", "jacket"})
FOREARMS = ((LEFT_ELBOW, LEFT_WRIST), (RIGHT_ELBOW, RIGHT_WRIST))
STEPS = np.linspace(0.3, 0.8, 6)  # where along the forearm (elbow 0, wrist 1) it is sampled: off the joints


def forearm_skin(image: Image.Image, pose: Pose, skin: Sequence[float] | None) -> float | None:
    """The largest share of skin along a forearm the pose shows inside the photo; None when no forearm or
    no skin colour is seen."""
    if skin is None:
        return None
    w, h = image.size
    shares = []
    for elbow, wrist in FOREARMS:
        a, b = pose.points[elbow], pose.points[wrist]
        if not (pose.seen(elbow) and pose.seen(wrist)) or not all(0 <= p[0] < w and 0 <= p[1] < h for p in (a, b)):
            continue
        r = max(1, round(0.08 * float(np.linalg.norm(b - a))))  # a patch as wide as a forearm's middle
        patches = []
        for t in STEPS:
            x, y = (a + t * (b - a)).round().astype(int)
            patch = image.crop((x - r, y - r, x + r + 1, y + r + 1))  # only these pixels are converted
            patches.append(lab(np.asarray(patch.convert("RGB"))).reshape(-1, 3))
        pixels = np.concatenate(patches)
        shares.append(float((np.linalg.norm(pixels - np.asarray(skin, np.float32), axis=1) < SKIN_DISTANCE).mean()))
    return max(shares) if shares else None


def sleeved_types(types: Collection[str], forearms: float | None) -> set[str]:
    """The `types` the forearms allow: short sleeves rule out the long-sleeved ones, and the other way
    round; all of them when the forearms say nothing."""
    if forearms is None or COVERED < forearms < BARE:
        return set(types)
    ruled_out = LONG_SLEEVED if forearms >= BARE else SHORT_SLEEVED
    return {t for t in types if t not in ruled_out}
