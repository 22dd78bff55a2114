"""The real-photo evaluation scores what the look page shows: the garment's name and its products' colours."""

from detection import taxonomy
from training.packages import Package
from training.real_photo_eval import Listed, PhotoResult, ShownItem, add_recommendations
from training.real_photo_report import summary
from training.real_photos import LabelledGarment, LabelledPhoto, labelled_photos

JACKET = LabelledGarment("topwear", (10, 20, 90, 100), ("Navy Blue",), ("jacket",))


def _photo(garments: tuple[LabelledGarment, ...] | None = None, not_visible: tuple[str, ...] = ()) -> LabelledPhoto:
    """A labelled man in a suit (by default: a jacket, trousers that may be called jeans, shoes of no type)."""
    return LabelledPhoto(
        name="suit.jpg",
        package=Package("debian", "none", "any", "unclear"),
        member="suit.jpg",
        sha256="0" * 64,
        person=(0, 0, 100, 200),
        gender="men",
        garments=garments
        or (
            JACKET,
            LabelledGarment("bottomwear", (20, 100, 80, 190), ("Black",), ("trousers", "jeans")),
            LabelledGarment("footwear", (20, 180, 80, 200), ("Black",)),  # no type labelled: not scored
        ),
        not_visible=not_visible,
        others=(),
    )


def test_a_garment_counts_as_named_right_when_the_page_names_one_of_its_labelled_types():
    # given a suit whose jacket the page calls a shirt and whose trousers it calls jeans
    result = PhotoResult("suit.jpg", True, True, "men", "men", "face", "full shot", "front")
    shown = {
        "topwear": ShownItem("shirt", [("Navy Blue", False), ("White", False)]),
        "bottomwear": ShownItem("jeans", [("Black", False)]),
        "footwear": ShownItem("sneakers", [("Black", True)]),
    }
    # when it is scored
    add_recommendations(result, _photo(), shown)
    figures = summary([result])
    # then the jacket is named wrong, the trousers right (jeans are allowed) and the shoes not counted
    assert result.named_right == {"topwear": False, "bottomwear": True}
    assert figures["garments_named"] == 2 and figures["named_right"] == 0.5
    assert result.colour_hits["topwear"] == 0.5 and figures["exact_match_labels"] == 1


def test_agreement_is_counted_against_what_the_partition_holds_and_what_a_perfect_reader_would_show():
    # given a navy jacket, a partition with 2 navy jackets, 3 navy shirts, 6 black jackets and 5 white
    # shirts, and a page that shows one navy jacket and seven white shirts
    navy_jacket, navy_shirt = Listed("Navy Blue", "jacket", "plain"), Listed("Navy Blue", "shirt", "plain")
    black_jacket, white_shirt = Listed("Black", "jacket", "plain"), Listed("White", "shirt", "striped")
    pool = [white_shirt] * 5 + [black_jacket] * 6 + [navy_shirt] * 3 + [navy_jacket] * 2
    shown = ShownItem("jacket", [], [navy_jacket] + [white_shirt] * 7, pool)
    result = PhotoResult("suit.jpg", True, True, "men", "men", "face", "full shot", "front")
    jacket = LabelledGarment("topwear", JACKET.box, ("Navy Blue",), ("jacket",), "plain")
    # when it is scored
    add_recommendations(result, _photo((jacket,)), {"topwear": shown})
    figures = summary([result])
    # then colour counts against the 5 navy products there are, type against 8 places; a perfect page shows
    # both navy jackets, then navy shirts and black jackets in turns: every navy product, 5 of 8 jackets
    assert figures["colour_family"]["of_possible"] == 0.2 and figures["colour_family"]["best_possible"] == 1.0
    assert figures["article_type"]["of_possible"] == 0.125 and figures["article_type"]["best_possible"] == 0.625
    assert figures["pattern"]["at_8"] == 0.125 and figures["pattern"]["best_possible"] == 1.0


def test_every_labelled_garment_is_named_by_article_types_of_its_own_category():
    category_of = {a.name: a.category for a in taxonomy.ARTICLE_TYPES}
    garments = [g for photo in labelled_photos() for g in photo.garments]
    assert garments and all(g.types for g in garments)
    assert all(category_of[t] == g.category for g in garments for t in g.types)


def test_completions_are_scored_by_the_stylists_rules_against_a_random_row():
    from training.real_photo_eval import Garb, Shown, add_completions

    # given a navy suit jacket (smart casual, winter) and no bottom or shoes in the photo
    photo = _photo((JACKET,), not_visible=("bottomwear", "footwear"))
    trousers, jeans = Garb("trousers", "Charcoal"), Garb("jeans", "Dark Blue", denim=True)
    shorts, brown = Garb("shorts", "Black"), Garb("trousers", "Brown")  # summer; a warm neutral by a cool one
    shown = Shown({}, {"bottomwear": [trousers, shorts, jeans, brown]}, {"bottomwear": [trousers, shorts, shorts]})
    result = PhotoResult("suit.jpg", True, True, "men", "men", "face", "upper body", "front")
    # when the row is scored
    add_completions(result, photo, shown)
    # then half the row keeps the rules, against a third of the partition
    kept, random_row = result.completions["bottomwear"]
    assert kept == 0.5 and abs(random_row - 1 / 3) < 1e-9
    figures = summary([result])
    assert figures["completion_rows"] == 1 and figures["completion_rules_kept"] == 0.5


def test_a_reader_of_types_is_scored_on_the_labelled_boxes_alone(tmp_path):
    from PIL import Image

    from detection.models.article_types import ArticleGuess
    from training.real_photo_eval import boxes_named_right

    Image.new("RGB", (100, 200), "grey").save(tmp_path / "suit.jpg")
    asked = []

    def reads_jackets(image, box, category):
        asked.append((image.size, box, category))
        return ArticleGuess("jacket", 0.9)

    # the jacket is right, the trousers wrong, and the shoes (no type labelled) are not asked about
    scored = boxes_named_right([_photo()], tmp_path, {"jackets": reads_jackets})
    assert scored == {"jackets": {"boxes": 2, "right": 1}}
    assert [c for _, _, c in asked] == ["topwear", "bottomwear"] and asked[0][1] == (10, 20, 90, 100)
