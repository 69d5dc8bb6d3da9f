"""Uncertainty on top of the model: Monte Carlo fans, named stress tests, calibration.

- :func:`fan`: the engine over draws of VAR(1) shocks to growth, the deflator and market
  rates, summarised as percentiles and chances (:class:`Fan`);
- :func:`stress`: named deterministic shocks (OBR ready reckoners, the EC's financial
  stress, the IMF's bound tests) and their effects (:class:`StressResult`);
- :func:`calibrate`: the shocks' sizes and persistence estimated from a yearly history.
"""

from __future__ import annotations

from budgetsim.uncertainty.calibrate import Calibration, CalibrationError, calibrate
from budgetsim.uncertainty.montecarlo import Fan, NoUncertaintyError, fan
from budgetsim.uncertainty.stress import TEST_NAMES, StressResult, stress

__all__ = [
    "TEST_NAMES",
    "Calibration",
    "CalibrationError",
    "Fan",
    "NoUncertaintyError",
    "StressResult",
    "calibrate",
    "fan",
    "stress",
]
