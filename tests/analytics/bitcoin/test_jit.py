"""numba is imported, and a kernel compiled, only when a kernel first runs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from yenflow.analytics.bitcoin._jit import HAVE_NUMBA


def test_importing_the_lab_does_not_import_numba() -> None:
    code = (
        "import sys\n"
        "import yenflow.analytics.bitcoin.lab\n"
        "import yenflow.report.sections.bitcoin\n"
        "print('numba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_parallel_kernel_compiles_with_numba_prange_on_first_call() -> None:
    if not HAVE_NUMBA:
        pytest.skip("numba is not installed: the kernels run as plain Python")
    import numba

    from yenflow.analytics.bitcoin import spa

    diff = np.random.default_rng(3).normal(size=(40, 2))
    first = spa.kernel_variance(diff, block_size=4.0)
    assert spa.prange is numba.prange
    assert spa._kernel_variance._compiled.targetoptions["parallel"] is True
    np.testing.assert_array_equal(first, spa.kernel_variance(diff, block_size=4.0))
