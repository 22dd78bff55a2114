"""The ranking: the nearest products re-ordered by the colours, texture and type they share with the garment."""

import numpy as np
import pytest
from PIL import Image

from detection.garment_colours import HISTOGRAM, SIZE, product_colours
from embeddings.ranking import Candidate, RankWeights, Worn, agreement_table, agreements, rerank


def plain(rgb) -> np.ndarray:
    """The colours read from a catalog-style photo of a plain garment of colour `rgb` on the studio grey."""
    photo = Image.new("RGB", (96, 96), (246, 246, 244))
    photo.paste(Image.new("RGB", (60, 70), rgb), (18, 13))
    return product_colours(photo)


NAVY, RED, WHITE = plain((25, 35, 80)), plain((200, 30, 30)), plain((245, 245, 245))


def candidate(pid, similarity, colours, article_type="trousers", colour_name=""):
    return Candidate(pid, similarity, None if colours is None else colours[None, :], article_type, colour_name)


def test_weights_read_from_a_setting_and_refuse_unknown_signals():
    assert RankWeights.parse("colour=0.3, type=0.5") == RankWeights(colour=0.3, type=0.5)
    assert RankWeights.parse(str(RankWeights(0.1, 0.2, 0.3))) == RankWeights(0.1, 0.2, 0.3)
    with pytest.raises(ValueError, match="brand"):
        RankWeights.parse("brand=1")


def test_a_garment_agrees_fully_with_its_own_colour_and_hardly_with_another():
    worn = Worn(NAVY, "trousers", 0.8)
    colour, texture, same_type, name = agreements(worn, candidate(1, 0.5, NAVY))
    assert colour == pytest.approx(1.0, abs=1e-5) and texture == pytest.approx(1.0, abs=1e-5)
    assert same_type == 0.8
    assert agreements(worn, candidate(2, 0.5, RED))[0] < 0.2
    assert agreements(worn, candidate(3, 0.5, WHITE, "jeans"))[2] == 0.0
    assert agreements(worn, candidate(4, 0.5, None)) == (0.0, 0.0, 0.8, 0.0)  # colours never read: no credit
    assert name == 0.0  # no colour names were read for the garment


def test_the_colour_weight_lifts_the_product_of_the_worn_colour_over_a_closer_one():
    worn = Worn(NAVY)
    found = [candidate(1, 0.80, RED), candidate(2, 0.78, WHITE), candidate(3, 0.70, NAVY)]
    assert [c.product_id for c, _ in rerank(worn, found, RankWeights())] == [1, 2, 3]
    assert rerank(worn, found, RankWeights(colour=0.2))[0][0].product_id == 3


def test_the_type_weight_follows_the_namers_belief():
    found = [candidate(1, 0.80, NAVY, "shorts"), candidate(2, 0.75, NAVY, "trousers")]
    sure, unsure = Worn(NAVY, "trousers", 0.9), Worn(NAVY, "trousers", 0.02)
    assert rerank(sure, found, RankWeights(type=0.5))[0][0].product_id == 2
    assert rerank(unsure, found, RankWeights(type=0.5))[0][0].product_id == 1


def test_an_exact_match_stays_first_whatever_the_others_share():
    found = [candidate(1, 0.95, RED), candidate(2, 0.60, NAVY), candidate(3, 0.70, NAVY)]
    ranked = rerank(Worn(NAVY), found, RankWeights(colour=1.0), keep_first=True)
    assert [c.product_id for c, _ in ranked] == [1, 3, 2]  # the rest by similarity plus colour
    assert rerank(Worn(NAVY), [], RankWeights(colour=1.0)) == []


def test_the_descriptor_blocks_are_the_ones_compared():
    assert NAVY.shape == (SIZE,) and HISTOGRAM < SIZE
    assert NAVY[:HISTOGRAM].sum() == pytest.approx(1.0, abs=1e-5)


def test_the_colour_name_weight_follows_how_well_each_listed_name_fits():
    worn = Worn(NAVY, name_scores={"Navy Blue": 1.0, "Black": 0.8, "Red": 0.1})
    found = [candidate(1, 0.80, RED, colour_name="Red"), candidate(2, 0.74, NAVY, colour_name="Black")]
    assert agreements(worn, found[1])[3] == 0.8
    assert rerank(worn, found, RankWeights(name=0.2))[0][0].product_id == 2
    assert rerank(worn, found, RankWeights(name=0.05))[0][0].product_id == 1


def test_a_colour_the_shopper_chose_decides_over_the_pixels():
    worn = Worn(NAVY, chosen_colour="red", name_scores={"Navy Blue": 1.0})
    colour, _, _, name = agreements(worn, candidate(1, 0.5, NAVY, colour_name="Navy Blue"))
    assert (colour, name) == (0.0, 0.0)
    assert agreements(worn, candidate(2, 0.5, NAVY, colour_name="Red"))[::3] == (1.0, 1.0)


def test_the_table_reads_every_candidate_as_agreements_does():
    worn = Worn(NAVY, "trousers", 0.6, name_scores={"Navy Blue": 1.0, "Black": 0.7})
    many = Candidate(9, 0.3, np.stack([RED, NAVY, WHITE]), "trousers", "Black")  # its best photo counts
    found = [candidate(1, 0.5, RED, "jeans", "Red"), many, candidate(3, 0.4, None), candidate(4, 0.2, NAVY)]
    table = agreement_table(worn, found)
    for row, c in zip(table, found, strict=True):
        assert row == pytest.approx(agreements(worn, c), abs=1e-6)
