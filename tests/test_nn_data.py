"""Datasets: sizes, labels, seeding, geometry, the split, bad arguments."""

import math

import pytest

from nn.data import (
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
    signed_labels,
    train_test_split,
)

MAKERS = [make_moons, make_circles, make_blobs, make_xor, make_spirals]


@pytest.mark.parametrize("make", MAKERS)
def test_shape_types_and_seeding(make):
    X, y = make(31, seed=4)
    assert len(X) == len(y) == 31
    assert all(len(p) == 2 and all(type(v) is float for v in p) for p in X)
    assert all(type(label) is int for label in y)
    assert make(31, seed=4) == (X, y)
    assert make(31, seed=5) != (X, y)


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_exactly_n_samples_even_for_tiny_n(make, n):
    # make_moons(1) crashed: an empty moon's linspace held one point
    X, y = make(n, seed=0)
    assert len(X) == len(y) == n


@pytest.mark.parametrize("n_classes", [1, 2, 3, 4, 7])
def test_spirals_never_return_more_points_than_asked(n_classes):
    for n in range(1, 12):
        X, y = make_spirals(n, n_classes=n_classes, seed=0)
        assert len(X) == len(y) == n
        counts = [y.count(c) for c in range(n_classes)]
        assert max(counts) - min(counts) <= 1


@pytest.mark.parametrize("make", MAKERS)
def test_bad_arguments(make):
    with pytest.raises(ValueError, match=f"{make.__name__}: n_samples must be an int >= 1"):
        make(0)
    with pytest.raises(TypeError, match="seed must be an int or None"):
        make(10, seed="x")


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = make_moons(40, noise=0.0, seed=0)
    assert y.count(0) == y.count(1) == 20
    for (a, b), label in zip(X, y):
        if label == 0:
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:
            assert math.hypot(a - 1, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_circles_radii_and_labels():
    X, y = make_circles(20, noise=0.0, factor=0.3, seed=0)
    for p, label in zip(X, y):
        assert math.hypot(*p) == pytest.approx(0.3 if label else 1.0)
    with pytest.raises(ValueError, match="factor"):
        make_circles(10, factor=1.0)


def test_blobs_gather_around_given_centers():
    centers = [[-5.0, 0.0], [5.0, 5.0], [0.0, -5.0]]
    X, y = make_blobs(60, centers=centers, cluster_std=0.2, seed=1)
    for c in range(3):
        mine = [p for p, label in zip(X, y) if label == c]
        assert len(mine) == 20
        mean = [sum(p[i] for p in mine) / 20 for i in range(2)]
        assert mean == pytest.approx(centers[c], abs=0.2)
    assert sorted(set(make_blobs(10, centers=4, seed=0)[1])) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="centers"):
        make_blobs(10, centers=[[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="center_box"):
        make_blobs(10, center_box=(1, 1))


def test_xor_labels_follow_the_quadrants():
    X, y = make_xor(200, seed=3)
    assert all(label == int((a > 0) != (b > 0)) for (a, b), label in zip(X, y))
    assert 60 < sum(y) < 140


def test_spirals_classes_and_radius():
    X, y = make_spirals(90, n_classes=3, noise=0.0, seed=0)
    assert [y.count(c) for c in range(3)] == [30, 30, 30]
    assert max(math.hypot(*p) for p in X) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="n_classes"):
        make_spirals(10, n_classes=0)


def test_noise_must_be_a_finite_non_negative_number():
    with pytest.raises(ValueError, match="make_moons: noise must be a finite number >= 0"):
        make_moons(10, noise=-0.1)
    with pytest.raises(ValueError, match="cluster_std"):
        make_blobs(10, cluster_std=math.inf)


def test_signed_labels():
    assert signed_labels([0, 1, 1, 0]) == [-1, 1, 1, -1]
    with pytest.raises(ValueError, match=r"labels must be 0 or 1 \(got 2 at index 1\)"):
        signed_labels([0, 2])


def test_train_test_split_partitions_the_data():
    X, y = make_moons(20, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=1)
    assert len(X_test) == len(y_test) == 5 and len(X_train) == 15
    pairs = sorted(zip(map(tuple, X_train + X_test), y_train + y_test))
    assert pairs == sorted(zip(map(tuple, X), y))
    assert (
        train_test_split(X, y, test_size=3, seed=1)[1]
        == train_test_split(X, y, test_size=3, seed=1)[1]
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"test_size": 0}, ValueError, "both parts must be non-empty"),
        ({"test_size": 20}, ValueError, "both parts must be non-empty"),
        ({"test_size": 1.5}, ValueError, r"must be in \(0, 1\)"),
        ({"test_size": "a"}, TypeError, "test_size must be a number"),
    ],
)
def test_train_test_split_bad_sizes(kwargs, error, match):
    X, y = make_moons(20, seed=0)
    with pytest.raises(error, match=match):
        train_test_split(X, y, **kwargs)


def test_train_test_split_needs_matching_lengths():
    with pytest.raises(ValueError, match="X has 2 examples but y has 1"):
        train_test_split([[0, 0], [1, 1]], [0])
