"""KMeans, the silhouette and the choice of k, on blobs whose answer is known and on rendered catalog photos."""

import numpy as np
import pytest

from detection.models.embedder import embedder
from synthetic.designs import generate_catalog
from synthetic.views import render_view
from training.view_clusters import (
    centre_by_group,
    cluster_names,
    halves,
    kmeans,
    medoids,
    names_by_exemplar,
    purity,
    row_names,
    silhouette,
    softmax,
    sweep,
    train_softmax,
)


def blobs(k: int = 4, per: int = 40, spread: float = 0.3, seed: int = 1) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=5, size=(k, 8))
    x = np.concatenate([c + rng.normal(scale=spread, size=(per, 8)) for c in centres])
    return x, [f"b{i}" for i in range(k) for _ in range(per)]


def test_kmeans_recovers_separated_blobs():
    x, truth = blobs()
    run = kmeans(x, 4)
    assert purity(run.labels, truth) == 1.0
    assert run.sse == pytest.approx(sum(((x[run.labels == c] - run.centroids[c]) ** 2).sum() for c in range(4)))
    assert sorted(cluster_names(run.labels, truth).values()) == ["b0", "b1", "b2", "b3"]


def test_the_silhouette_matches_its_definition_on_four_points():
    x = np.array([[0.0], [1.0], [10.0], [12.0]])
    labels = np.array([0, 0, 1, 1])
    # point 0: a = 1, b = (10 + 12) / 2 = 11; point 1: a = 1, b = 10; point 2: a = 2, b = 9.5; point 3: a = 2, b = 11.5
    expected = np.mean([(11 - 1) / 11, (10 - 1) / 10, (9.5 - 2) / 9.5, (11.5 - 2) / 11.5])
    assert silhouette(x, labels) == pytest.approx(expected)
    assert silhouette(x, np.zeros(4, int)) == 0.0


def test_the_sweep_picks_the_number_of_blobs():
    x, _ = blobs(k=5)
    result = sweep(x, range(2, 11))
    assert result.elbow_k == 5 and result.silhouette_k == 5 and result.chosen_k == 5
    assert all(a >= b for a, b in zip(result.sse, result.sse[1:], strict=False))  # more clusters, less SSE


def test_rendered_shoe_photos_cluster_by_view_on_imagenet_features_not_on_the_embedders():
    """Real data of the catalog's kind: the demo store's footwear photos. The ImageNet backbone sees the
    view; the Siamese embedder was trained to match a product across its views, so it does not."""
    from detection.boxes import square_crop
    from training.mobilenet_v2 import build_mobilenet_v2, load_imagenet_weights

    products = [p for p in generate_catalog(180, seed=5) if p.category == "footwear"]
    photos = [(p, v) for p in products for v in p.views if v in ("front", "side", "model")]
    crops = np.stack([square_crop(render_view(p, v).convert("RGB"), None, 160) for p, v in photos])
    truth = [v for _, v in photos]
    features = load_imagenet_weights(build_mobilenet_v2(160)).predict(crops, verbose=0)
    imagenet = features / np.linalg.norm(features, axis=1, keepdims=True)
    ours = embedder().embed_batch(crops)
    by_imagenet, by_embedder = purity(kmeans(imagenet, 3).labels, truth), purity(kmeans(ours, 3).labels, truth)
    majority = max(truth.count(v) for v in set(truth)) / len(truth)  # one cluster for everything
    assert by_imagenet > majority + 0.3 and by_embedder < by_imagenet - 0.2, (majority, by_imagenet, by_embedder)
    assert abs(sweep(imagenet, range(2, 8)).chosen_k - 3) <= 1  # on 164 photos, within one of the three views


def test_centring_on_each_product_lets_kmeans_split_tops_by_view_rather_than_by_cloth():
    """Tops of many colours and cuts, four views each: raw features group them by what they look like,
    product-centred grid features by the view, which is what a thumbnail is chosen by."""
    import keras

    from detection.boxes import square_crop
    from training.catalog_photos import grid_backbone
    from training.mobilenet_v2 import build_mobilenet_v2, load_imagenet_weights

    products = [p for p in generate_catalog(120, seed=9) if p.category == "topwear"][:24]
    views = ("front", "back", "side", "detail")
    photos = [(i, v) for i, p in enumerate(products) for v in p.views if v in views]
    crops = np.stack([square_crop(render_view(products[i], v).convert("RGB"), None, 160) for i, v in photos])
    truth = [v for _, v in photos]
    imagenet = load_imagenet_weights(build_mobilenet_v2(160))
    raw = imagenet.predict(crops, verbose=0)
    grid = grid_backbone(imagenet).predict(crops, verbose=0)
    centred = centre_by_group(grid, [i for i, _ in photos])
    assert np.allclose(np.linalg.norm(centred, axis=1), 1.0)
    by_raw = purity(kmeans(raw / np.linalg.norm(raw, axis=1, keepdims=True), 4).labels, truth)
    by_centred = purity(kmeans(centred, 4).labels, truth)
    assert by_centred > by_raw + 0.1, (by_raw, by_centred)
    keras.backend.clear_session()


def test_a_product_of_one_photo_centres_to_zero():
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 0.0]])
    out = centre_by_group(x, ["a", "a", "b"])
    assert np.allclose(out[0], -out[1]) and np.allclose(np.linalg.norm(out[:2], axis=1), 1)
    assert np.allclose(out[2], 0)


def test_halves_cut_each_cluster_in_two_and_their_names_win():
    x, truth = blobs(k=4, per=30)
    run = kmeans(x[:60], 1)  # one cluster mixing blobs b0 and b1
    split = halves(x[:60], run)
    assert split.k == 2 and purity(split.labels, truth[:60]) == 1.0
    keys = [f"p{i}/0" for i in range(60)]
    names = row_names(run, split, keys, {"p0/0": "front"}, {})
    assert set(names) == {"front"}  # the whole cluster's name, where no half is named
    named_half = {"p45/0": "back"}  # an exemplar in b1's half
    names = row_names(run, split, keys, {"p0/0": "front"}, named_half)
    assert names[:30] == ["front"] * 30 and names[30:] == ["back"] * 30


@pytest.mark.slow
def test_the_command_sweeps_every_category_and_draws_its_plots(transactional_db, media_root, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    from tests.shopthelook.demo_catalog import demo_products, ingest

    ingest(demo_products()[:30], views=("front", "back", "side", "detail", "model"))
    out = StringIO()
    call_command("cluster_views", k_max=5, out=str(tmp_path), json=True, stdout=out)
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert set(report) == {"topwear", "bottomwear", "footwear"}
    for category, r in report.items():
        for backbone in ("imagenet-mobilenetv2", "our-embedder", "imagenet-grid-product-centred"):
            scores = r[backbone]
            assert 2 <= scores["chosen_k"] <= scores["elbow_k"] <= 5 and 0 < scores["purity"] <= 1
            assert len(scores["sse"]) == 4
        assert r["naming"]["k"] == 16 and len(r["exemplars"]) == 16 and len(r["half_exemplars"]) >= 16
        for plot in ("k", "clusters", "halves"):
            assert (tmp_path / f"{category}_{plot}.png").exists()


def test_clusters_take_the_names_of_the_exemplars_they_hold():
    x, truth = blobs(k=3)
    run = kmeans(x, 3)
    keys = [f"p{i}/0" for i in range(len(x))]
    named = {"p0/0": "front", "p40/0": "side", "p41/0": "side", "p80/0": "detail"}
    names = names_by_exemplar(run, keys, named)
    assert sorted(names.values()) == ["detail", "front", "side"]
    assert names[int(run.labels[40])] == "side"
    exemplar = medoids(x, run)
    assert {truth[i] for i in exemplar.values()} == {"b0", "b1", "b2"}


def test_the_softmax_classifier_learns_separable_views():
    x, truth = blobs(k=3, spread=1.0)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    w, b, classes = train_softmax(x[::2], truth[::2])
    predicted = [classes[i] for i in softmax(x[1::2] @ w + b).argmax(1)]
    assert classes == ["b0", "b1", "b2"]
    assert np.mean([p == t for p, t in zip(predicted, truth[1::2], strict=True)]) >= 0.95


def test_a_fifth_of_the_families_is_held_out_whole():
    from training.view_clusters import family_of, held_out

    ids = [f"DS{f:05d}-{v}" for f in range(500) for v in range(3)]
    share = np.mean([held_out(i) for i in ids])
    assert 0.15 < share < 0.25
    assert all(held_out(f"DS{f:05d}-0") == held_out(f"DS{f:05d}-2") for f in range(500))  # whole families
    assert family_of("DS00012-3") == "DS00012" and family_of("SKU9") == "SKU9"


def test_a_fifth_of_the_other_families_chooses_the_epochs():
    from training.view_clusters import held_out, validation_family

    ids = [f"DS{f:05d}-{v}" for f in range(500) for v in range(3)]
    assert not any(held_out(i) and validation_family(i) for i in ids)  # never both: the test stays unseen
    rest = [i for i in ids if not held_out(i)]
    assert 0.15 < np.mean([validation_family(i) for i in rest]) < 0.25
    assert all(validation_family(f"DS{f:05d}-0") == validation_family(f"DS{f:05d}-1") for f in range(500))
