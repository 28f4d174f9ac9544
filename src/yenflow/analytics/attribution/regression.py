"""Ordinary least squares with Newey–West (HAC) standard errors, in NumPy.

The same estimator as ``statsmodels``' ``OLS(y, X).fit(cov_type="HAC",
cov_kwds={"maxlags": L})`` (Bartlett kernel, weights ``1 - l / (L + 1)``, no small-sample
correction, statsmodels' default); the tests compare the two on the same data. statsmodels is not
imported at run time because importing it (with SciPy) takes longer than a whole scorecard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["HacFit", "ols_hac"]


@dataclass(frozen=True)
class HacFit:
    """Coefficients, their HAC covariance, t-values and the fit's R²."""

    params: np.ndarray
    cov: np.ndarray
    nobs: int
    rsquared: float
    maxlags: int

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    @property
    def tvalues(self) -> np.ndarray:
        return self.params / self.se


def ols_hac(y: np.ndarray, x: np.ndarray, *, maxlags: int) -> HacFit:
    """OLS of ``y`` (n) on ``x`` (n × k, include a constant column yourself), HAC covariance.

    Raises:
        ValueError: shapes disagree, fewer rows than columns, or a singular design.
    """
    y = np.asarray(y, dtype="float64")
    x = np.asarray(x, dtype="float64")
    n, k = x.shape
    if len(y) != n or n <= k:
        msg = f"OLS needs more rows than columns and one y per row; got y {len(y)}, x {x.shape}"
        raise ValueError(msg)
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    u = y - x @ beta
    scores = x * u[:, None]
    s = scores.T @ scores
    for lag in range(1, maxlags + 1):
        w = 1.0 - lag / (maxlags + 1.0)
        gamma = scores[lag:].T @ scores[:-lag]
        s += w * (gamma + gamma.T)
    cov = xtx_inv @ s @ xtx_inv
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(u @ u) / tss if tss > 0 else float("nan")
    return HacFit(beta, cov, n, r2, maxlags)
