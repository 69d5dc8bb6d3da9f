"""Names for the array types the model passes around, for annotations only.

Importing ``numpy.typing`` costs about 25 ms, a twentieth of the command line's start-up
budget, and only the type checker needs these names, so modules import them under
``if TYPE_CHECKING:`` (every module uses ``from __future__ import annotations``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    FloatArray = NDArray[np.float64]
    IntArray = NDArray[np.int64]
    BoolArray = NDArray[np.bool_]

    __all__ = ["ArrayLike", "BoolArray", "FloatArray", "IntArray"]
