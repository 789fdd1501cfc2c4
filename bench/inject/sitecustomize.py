"""Applies the perturbation named in ``REGCHECK_PERTURBATION`` to this Python process (``bench/perturbations.py``).

Python imports ``sitecustomize`` at start-up from the first folder of ``sys.path`` that has one;
``bench/perturbations.py`` puts this folder first on ``PYTHONPATH`` of the ``regcheck`` processes
it starts (worker processes inherit it), so a change reaches training from outside regcheck's code.
"""

import os
import sys

if os.environ.get("REGCHECK_PERTURBATION"):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import perturbations

    perturbations.install(os.environ["REGCHECK_PERTURBATION"])
