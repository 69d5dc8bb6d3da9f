r"""Estimate the shock model (S and A) from a yearly history of growth, inflation and yields.

The three shocked series are real growth :math:`g_t`, deflator growth :math:`p_t` and the
change in the long yield :math:`\Delta i_t` (shocks act on yield changes, not levels). Each
gets an AR(1) with a constant, fitted by least squares equation by equation,

.. math::

    x_t = c + a\,x_{t-1} + e_t,

so A is diagonal, as in the scenario's ``uncertainty:`` section. S is the covariance of the
three residual series over the years all three have (ddof 2, one per fitted parameter), split
into standard deviations and correlations.

Years can be left out (``exclude``); the years either side are then joined, as the
published statistics do for their "excl. 2020-21" column. The inputs are in percent and
so are the outputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from budgetsim.model.scenario import ShockModel
from budgetsim.model.units import from_percent

if TYPE_CHECKING:
    from budgetsim.model.arrays import FloatArray, IntArray

NAMES = ("real_growth", "deflator", "rate_change")
MIN_YEARS = 8


class CalibrationError(ValueError):
    """The series cannot be calibrated (too short, constant, not consecutive)."""


@dataclass(frozen=True)
class Calibration:
    """Estimates, in percent (pp) for standard deviations; labelled by series in NAMES.

    Attributes
    ----------
    years : tuple of int
        The years used, after exclusions.
    excluded : tuple of int
        The years left out.
    mean : ndarray, shape (3,)
        Means of real growth, deflator growth and the yield level, %.
    sd : ndarray, shape (3,)
        Standard deviations (ddof 1) of real growth, deflator growth and the yield change,
        pp.
    corr : ndarray, shape (3, 3)
        Correlations of the same three series, each pair over the years it has.
    autocorr : ndarray, shape (3,)
        Their lag-1 autocorrelations.
    persistence : ndarray, shape (3,)
        Least-squares AR(1) coefficients, the diagonal of A.
    shock_sd : ndarray, shape (3,)
        Innovation standard deviations, pp.
    shock_corr : ndarray, shape (3, 3)
        Innovation correlations.
    observations : int
        Residual years used for S.
    """

    years: tuple[int, ...]  # the years used, after exclusions
    excluded: tuple[int, ...]
    # Description of the data (docs/sources.md reports the same statistics)
    mean: FloatArray  # (3,) growth, deflator, yield level
    sd: FloatArray  # (3,) growth, deflator, yield change (ddof 1)
    corr: FloatArray  # (3, 3) of growth, deflator and yield change, each pair over its years
    autocorr: FloatArray  # (3,) lag-1 correlations (our sources' "AR(1)" row)
    # The shock model
    persistence: FloatArray  # (3,) least-squares AR(1) coefficients, the diagonal of A
    shock_sd: FloatArray  # (3,) innovation standard deviations
    shock_corr: FloatArray  # (3, 3) innovation correlations
    observations: int  # residual years used for S

    def model(self) -> ShockModel:
        """The estimates in model units (fractions), for Monte Carlo runs."""
        return ShockModel(
            sd=from_percent(self.shock_sd), corr=self.shock_corr, persistence=self.persistence
        )

    def section(self) -> dict[str, float]:
        """The scenario's ``uncertainty:`` keys, rounded as a file would write them."""
        c = self.shock_corr
        return {
            "growth_sd": round(float(self.shock_sd[0]), 2),
            "deflator_sd": round(float(self.shock_sd[1]), 2),
            "rate_sd": round(float(self.shock_sd[2]), 2),
            "corr_growth_deflator": round(float(c[0, 1]), 2),
            "corr_growth_rate": round(float(c[0, 2]), 2),
            "corr_deflator_rate": round(float(c[1, 2]), 2),
            "growth_persistence": round(float(self.persistence[0]), 2),
            "deflator_persistence": round(float(self.persistence[1]), 2),
            "rate_persistence": round(float(self.persistence[2]), 2),
        }


def _ar1(x: FloatArray) -> tuple[float, FloatArray]:
    """Least-squares x_t = c + a x_{t-1} + e_t: the coefficient a and the residuals."""
    lag, now = x[:-1], x[1:]
    design = np.column_stack([np.ones_like(lag), lag])
    coef, *_ = np.linalg.lstsq(design, now, rcond=None)
    return float(coef[1]), now - design @ coef


def calibrate(
    years: Sequence[int],
    growth: Sequence[float],
    deflator: Sequence[float],
    yield_level: Sequence[float],
    exclude: Iterable[int] = (),
) -> Calibration:
    """Estimate the shock model from consecutive years of growth, deflator and yield (%).

    Parameters
    ----------
    years : sequence of int
        Consecutive, ascending years, one per value of each series.
    growth : sequence of float
        Real GDP growth, % a year.
    deflator : sequence of float
        GDP deflator growth, % a year.
    yield_level : sequence of float
        The long (10-year) yield, %; its year-on-year change is the shocked series.
    exclude : iterable of int
        Years to leave out (the years either side are then joined).

    Returns
    -------
    Calibration
        In percent (pp for standard deviations); :meth:`Calibration.model` gives the
        shock model in fractions.

    Raises
    ------
    CalibrationError
        Columns of different lengths, years not consecutive, a value that is not a finite
        number, an excluded year not in the data, fewer than :data:`MIN_YEARS` years left,
        a constant series, or estimates that are not finite numbers.
    """
    yrs = np.asarray(years, dtype=np.int64)
    if not (len(yrs) == len(growth) == len(deflator) == len(yield_level)):
        raise CalibrationError("the columns have different lengths")
    if len(yrs) and np.any(np.diff(yrs) != 1):
        raise CalibrationError("the years must be consecutive and ascending")
    columns = [np.asarray(c, dtype=np.float64) for c in (growth, deflator, yield_level)]
    for label, column in zip(("real growth", "deflator", "yield"), columns, strict=True):
        bad = ~np.isfinite(column)
        if bad.any():
            year = int(yrs[int(np.argmax(bad))])
            raise CalibrationError(f"{label} in {year} is not a finite number")
    skip = sorted(set(exclude))
    for year in skip:
        if year not in set(yrs.tolist()):
            span = f"{yrs[0]} to {yrs[-1]}" if len(yrs) else "none"
            raise CalibrationError(f"cannot exclude {year}: not a year of the data ({span})")
    keep = ~np.isin(yrs, skip)
    g, p, i = (column[keep] for column in columns)
    if len(g) < MIN_YEARS:
        raise CalibrationError(f"{len(g)} years left; at least {MIN_YEARS} are needed")
    # Finite inputs can still overflow (1e308 squared); the check below turns that into an
    # error, so numpy's warnings would only be noise.
    overflow = CalibrationError(
        "the estimates are not finite numbers: values this large are not growth rates "
        "or yields in percent"
    )
    try:
        with np.errstate(all="ignore"):
            cal = _estimate(yrs[keep], tuple(skip), g, p, i)
    except np.linalg.LinAlgError:
        raise overflow from None
    estimates = (cal.mean, cal.sd, cal.corr, cal.autocorr, cal.persistence, cal.shock_sd)
    if not all(np.isfinite(e).all() for e in (*estimates, cal.shock_corr)):
        raise overflow
    return cal


def _estimate(
    years: IntArray, excluded: tuple[int, ...], g: FloatArray, p: FloatArray, i: FloatArray
) -> Calibration:
    """The estimates from the series left after exclusions (see the module docstring)."""
    di = np.diff(i)
    x = np.vstack([g[1:], p[1:], di])  # the three shocked series, years with a yield change
    sd = np.array([g.std(ddof=1), p.std(ddof=1), di.std(ddof=1)])
    if np.any(sd == 0.0):
        constant = [NAMES[k] for k in range(3) if sd[k] == 0.0]
        raise CalibrationError(f"constant series cannot be calibrated: {', '.join(constant)}")
    corr = np.asarray(np.corrcoef(x), dtype=np.float64)
    corr[0, 1] = corr[1, 0] = np.corrcoef(g, p)[0, 1]  # growth and deflator: every year
    fits = [_ar1(series) for series in (g, p, di)]
    a = np.array([f[0] for f in fits])
    # Residuals over the years all three have: growth and deflator lose their first two
    # years' worth (one to the difference, one to the lag), the yield change one.
    resid = np.vstack([fits[0][1][1:], fits[1][1][1:], fits[2][1]])
    cov = np.cov(resid, ddof=2)
    shock_sd = np.sqrt(np.diag(cov))
    return Calibration(
        years=tuple(int(y) for y in years),
        excluded=excluded,
        mean=np.array([g.mean(), p.mean(), i.mean()]),
        sd=sd,
        corr=corr,
        autocorr=np.array([np.corrcoef(s[:-1], s[1:])[0, 1] for s in (g, p, di)]),
        persistence=a,
        shock_sd=shock_sd,
        shock_corr=cov / np.outer(shock_sd, shock_sd),
        observations=resid.shape[1],
    )
