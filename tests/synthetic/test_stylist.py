"""The stylist dresses outfits by formality, season and colour, and leaves a fifth to chance."""

import random
from dataclasses import replace

import pytest

from synthetic.designs import generate_catalog
from synthetic.site import DemoStore
from synthetic.stylist import RANDOM_SHARE, broken_rules, random_outfit, styled_around, styled_outfit

CATALOG = generate_catalog(600, 7)
BASE = CATALOG[0]


def garment(article: str, colour: str = "Black", pattern: str = "solid"):
    return replace(BASE, article_type=article, colour_name=colour, fabric=replace(BASE.fabric, pattern=pattern))


@pytest.mark.parametrize(
    ("articles", "broken"),
    [
        (("shirt", "trousers", "boots"), []),
        (("shirt", "trousers", "heels"), []),
        (("tshirt", "jeans", "sneakers"), []),
        (("tshirt", "jeans", "heels"), ["formality"]),
        (("shirt", "shorts", "sandals"), ["formality"]),
        (("hoodie", "shorts", "sneakers"), ["season"]),
        (("tshirt", "shorts", "boots"), ["formality", "season"]),
        (("dress", "heels"), []),
    ],
)
def test_formality_and_season(articles, broken):
    assert broken_rules([garment(a) for a in articles]) == broken


def test_neutrals_take_one_accent_and_one_pattern():
    assert broken_rules([garment("tshirt", "Red"), garment("jeans", "Blue", "denim"), garment("sneakers")]) == []
    assert broken_rules([garment("tshirt", "Red"), garment("shorts", "Yellow"), garment("sneakers")]) == ["colour"]
    striped, checked = garment("tshirt", pattern="stripes"), garment("shorts", pattern="checks")
    assert broken_rules([striped, checked, garment("sneakers")]) == ["pattern"]
    assert broken_rules([striped, garment("jeans", "Blue", "denim"), garment("sneakers")]) == []


def _pool():
    pool = {}
    for p in CATALOG:
        pool.setdefault((p.gender, p.category), []).append(p)
    return pool


def test_four_outfits_in_five_keep_every_rule_and_the_rest_are_random():
    pool, rng = _pool(), random.Random(3)
    draws = [styled_outfit(pool, rng.choice(("men", "women")), rng) for _ in range(600)]
    styled = [outfit for outfit, by_rules in draws if by_rules]
    assert abs(len(styled) / len(draws) - (1 - RANDOM_SHARE)) < 0.05
    for outfit in styled:
        worn = [g for g in (outfit.top, outfit.bottom, outfit.footwear) if g is not None]
        assert broken_rules(worn) == []
        assert (outfit.bottom is None) == (outfit.top.article_type == "dress")
    # Chance breaks a rule most of the time: the rules are a signal, not what random outfits look like anyway.
    unstyled = [random_outfit(pool, "women", random.Random(i)) for i in range(300)]
    share_broken = sum(bool(broken_rules([g for g in (o.top, o.bottom, o.footwear) if g])) for o in unstyled) / 300
    assert share_broken > 0.5


def test_the_same_seed_dresses_the_same_outfits():
    pool = _pool()
    first = [styled_outfit(pool, "men", random.Random(11)) for _ in range(5)]
    again = [styled_outfit(pool, "men", random.Random(11)) for _ in range(5)]
    assert first == again


def test_a_model_shot_is_dressed_around_its_product():
    pool, draws = _pool(), []
    for p in CATALOG[:300]:
        outfit, by_rules = styled_around(p, pool, random.Random(p.product_id))
        worn = [g for g in (outfit.top, outfit.bottom, outfit.footwear) if g is not None]
        assert p in worn and {g.gender for g in worn} == {p.gender}
        assert len({g.category for g in worn}) == len(worn)  # one garment per category
        assert (outfit.bottom is None) == (outfit.top.article_type == "dress")
        if by_rules:
            assert broken_rules(worn) == []
        draws.append(by_rules)
    # A fifth at random, and a few more where the greedy choice found nothing that keeps the rules.
    assert 0.65 < sum(draws) / len(draws) <= 1 - RANDOM_SHARE + 0.05


def test_the_store_dresses_model_shots_by_the_stylist_unless_told_house():
    product = next(p for p in CATALOG if p.category == "topwear" and p.article_type != "dress")
    stylist, house = DemoStore(CATALOG[:200]), DemoStore(CATALOG[:200], model_shots="house")
    assert house.shot_outfit(product) is None
    outfit = stylist.shot_outfit(product)
    assert outfit.top == product and outfit.bottom is not None and outfit.footwear is not None
    assert stylist.shot_outfit(product) == outfit  # the same shot every time
    assert stylist.image(product.product_id, "model") != house.image(product.product_id, "model")
    with pytest.raises(ValueError, match="model_shots"):
        DemoStore(CATALOG[:10], model_shots="vogue")
