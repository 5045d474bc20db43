"""The stacked-model experiment's mechanics (bench/arbiter_train.py): the threshold rule that guards precision, and
features that are the same on every run."""

from __future__ import annotations

import numpy as np
from bench import arbiter_features
from bench.arbiter_train import fit, predict, threshold


def test_threshold_never_accepts_flips_below_the_precision_bar() -> None:
    probs = np.array([0.99, 0.98, 0.97, 0.96, 0.7, 0.6])
    labels = np.array([True, False, True, True, True, False])   # the second most confident flip is wrong
    assert threshold(labels, probs) == 1.0                      # so nothing may flip
    assert threshold(np.array([True, True, True, True, False, False]), probs) == 0.7


def test_fit_is_deterministic_and_learns_a_separable_signal() -> None:
    x = np.array([[0.0, 1.0], [0.1, 1.0], [0.9, 1.0], [1.0, 1.0], [0.2, 1.0], [0.8, 1.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    a, b = fit(x, y), fit(x, y)
    assert np.array_equal(a[2], b[2]) and a[3] == b[3]
    p = predict(a, x)
    assert p[y == 1].min() > p[y == 0].max()


def test_features_are_rounded_float64_in_names_order() -> None:
    row = arbiter_features.features("I live in Munich now", "I live in Berlin", 0.81234567, "", "no shared attribute",
                                    False, 0.95)
    assert row.dtype == np.float64 and row.shape == (len(arbiter_features.NAMES),)
    assert row[arbiter_features.NAMES.index("similarity")] == 0.8123
    assert row[arbiter_features.NAMES.index("new change")] == 1.0
    assert not arbiter_features.asked("I might move to Munich", "I live in Berlin")
    assert arbiter_features.asked("I live in Munich now", "I live in Berlin")
