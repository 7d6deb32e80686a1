# Reference values for SyntheticDataTests, computed with Debian's numpy 1.24.2:
#   /usr/bin/python3 Model.Nn.Tests/Data/numpy_reference.py
# Draw order as in methods.md §1.4(a) (P1 synthetic classification) and §2.5 (P2 synthetic regression).
import numpy as np

def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()

def weighted(y):  # order-sensitive checksum of a label vector
    return int(sum(i * int(v) for i, v in enumerate(y)))

np.random.seed(0)
W = np.random.randn(10, 3)
X_train = np.random.randn(1000, 10)
y_train = np.array([np.random.choice([0, 1, 2], p=softmax(x @ W)) for x in X_train])
X_test = np.random.randn(1000, 10)
y_test = np.array([np.random.choice([0, 1, 2], p=softmax(x @ W)) for x in X_test])
print("classification")
print("  W[0,:]      ", repr(W[0].tolist()))
print("  W[9,2]      ", repr(W[9, 2]))
print("  X_train[0,:3]", repr(X_train[0, :3].tolist()))
print("  X_train sum ", repr(X_train.sum()))
print("  X_test[999,9]", repr(X_test[999, 9]))
print("  X_test sum  ", repr(X_test.sum()))
print("  y_train[:20]", y_train[:20].tolist())
print("  y_train counts", np.bincount(y_train, minlength=3).tolist(), "weighted", weighted(y_train))
print("  y_test[:20] ", y_test[:20].tolist())
print("  y_test counts", np.bincount(y_test, minlength=3).tolist(), "weighted", weighted(y_test))

np.random.seed(0)
X = np.random.randn(1024, 10)
w = np.random.randn(10)
y = X @ w + 0.1 * np.random.randn(1024)
print("regression")
print("  X[0,:3]     ", repr(X[0, :3].tolist()))
print("  w           ", repr(w.tolist()))
print("  y[:3]       ", repr(y[:3].tolist()))
print("  y[900]      ", repr(y[900]))
print("  y[1023]     ", repr(y[1023]))
print("  y sum       ", repr(y.sum()))
print("  train y mean/std", repr(y[:900].mean()), repr(y[:900].std()))
print("  test y mean/std ", repr(y[900:].mean()), repr(y[900:].std()))
