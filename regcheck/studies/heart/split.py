"""The study's data preparation: the published split and scaling, shared by both models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from regcheck.studies.heart.data import TARGET

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

TEST_SIZE = 0.2
SPLIT_SEED = 42


@dataclass(frozen=True)
class StudySplit:
    """Scaled train and test parts; ``test_rows`` are the 0-based rows of heart.csv in the test part."""

    x_train: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    test_rows: tuple[int, ...]
    feature_names: tuple[str, ...]


def prepare_split(frame: pd.DataFrame) -> StudySplit:
    """``train_test_split(test_size=0.2, random_state=42)``, scaler fit on the training part only."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    features = frame.drop(columns=[TARGET])
    target = frame[TARGET]
    x_train, x_test, y_train, y_test = train_test_split(features, target, test_size=TEST_SIZE, random_state=SPLIT_SEED)
    scaler = StandardScaler().fit(x_train)
    return StudySplit(
        x_train=scaler.transform(x_train),
        x_test=scaler.transform(x_test),
        y_train=y_train.to_numpy(),
        y_test=y_test.to_numpy(),
        test_rows=tuple(int(row) for row in x_test.index),
        feature_names=tuple(str(name) for name in features.columns),
    )
