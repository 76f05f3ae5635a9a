"""Networks as scikit-learn estimators: :class:`NetworkClassifier` and :class:`NetworkRegressor`.

They need scikit-learn (``pip install "autograd_graph[sklearn]"``), imported
only when one of them is first used: ``import autograd_graph`` does not load
it. They work in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score`` and
pass ``sklearn.utils.estimator_checks.check_estimator`` (tests/test_estimators.py).
"""

from .classifier import NetworkClassifier
from .regressor import NetworkRegressor

__all__ = ["NetworkClassifier", "NetworkRegressor"]
