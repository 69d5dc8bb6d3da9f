"""The emitter's rounding: one precision per unit, in every CSV."""

from __future__ import annotations

from budgetsim.cli.present.emit import CHANCE, Sheet, csv_cells, decimals


def test_each_unit_has_its_precision() -> None:
    assert decimals("GBP bn") == 1
    assert decimals("% of GDP") == 2
    assert decimals("pp") == 2
    assert decimals(CHANCE) == 1  # percent of draws: 0.1 %
    assert decimals("probability") == 3  # a fraction: 0.001 is 0.1 % of draws
    assert decimals("") is None


def test_a_chance_as_a_fraction_keeps_tenths_of_a_percent_in_csv() -> None:
    """A sweep's p_pass column (a fraction) was rounded like currency, to 0.9 for 0.939."""
    sheet = Sheet("points", ["p_pass"], ["probability"], [[0.93874], [0.0004]])
    assert csv_cells(sheet)[1:] == [["0.939"], ["0.000"]]
    assert csv_cells(sheet, raw=True)[1:] == [["0.93874"], ["0.0004"]]
