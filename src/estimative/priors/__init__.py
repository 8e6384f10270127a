"""Priors over the parameters, in the analyst's own terms, and parameter draws.

- :mod:`.forms`: each CPT form's parameters and their prior; a draw is made in those
  parameters and expanded by the form's map, so it keeps the form.
- :mod:`.verbal`: the Beta of a verbal term, fitted to its band.
- :mod:`.draws`: ``draw_cpts`` (every CPT, batched), ``concentrations`` (the expanded
  columns' Dirichlet), ``resolve_draws``.
- :mod:`.entered`: the numbers the analyst entered, as the parameters sensitivity moves.
- :mod:`.pooled`: draws of a CPT several analysts elicited, made per analyst and mixed.
- :mod:`.learn`: CPTs updated from observed cases (the elicited CPT as Dirichlet prior);
  :mod:`.em` for cases with missing values; :mod:`.written` the learned model as a folder.
"""

from __future__ import annotations

from .draws import Draws, concentrations, draw_cpts, n_draws, resolve_draws
from .learn import Learned, learn
from .verbal import BAND_MASS, band_concentration, band_strength
from .written import write_learned

__all__ = [
    "BAND_MASS",
    "Draws",
    "Learned",
    "band_concentration",
    "band_strength",
    "concentrations",
    "draw_cpts",
    "learn",
    "n_draws",
    "resolve_draws",
    "write_learned",
]
