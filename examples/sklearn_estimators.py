"""Networks as scikit-learn estimators: a grid search over hidden sizes and step sizes on the digits.

    python examples/sklearn_estimators.py   # a few seconds

ag.NetworkClassifier trains ag.layered([64, *hidden, 10]) with Adam and softmax
cross-entropy inside a Pipeline; GridSearchCV chooses hidden and learning_rate
by 3-fold cross-validation, and the chosen one is scored on held-out digits.
"""

from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import autograd_graph as ag

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

model = make_pipeline(StandardScaler(), ag.NetworkClassifier(epochs=30, batch_size=32, random_state=0))
grid = GridSearchCV(
    model,
    {"networkclassifier__hidden": [(8,), (32,)], "networkclassifier__learning_rate": [0.001, 0.01]},
    cv=3,
)
grid.fit(X_train, y_train)

for params, score in zip(grid.cv_results_["params"], grid.cv_results_["mean_test_score"], strict=True):
    print(f"hidden {params['networkclassifier__hidden']}, learning rate {params['networkclassifier__learning_rate']}: "
          f"cross-validated accuracy {score:.3f}")  # fmt: skip
best = grid.best_estimator_
print(f"chosen: {grid.best_params_}; held-out accuracy {best.score(X_test, y_test):.3f}")
clf = best[-1]
print(f"its network: {clf.network_}, trained {clf.n_iter_} epochs, final loss {clf.loss_curve_[-1]:.4f}")
