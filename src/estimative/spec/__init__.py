"""The model as data: frozen, validated descriptions of variables, CPTs with their provenance,
policies, scenarios, claims, questions, outcomes and utilities; the rules a model must meet;
the expansion of every CPT form into a full table; the one builder that seals a spec.

Nothing here reads files (that is :mod:`estimative.files`) or runs inference.
"""

from __future__ import annotations

from .analysts import AnalystSpec, pool_tables
from .build import (
    analyst_view,
    derive,
    elicited,
    finish,
    locate,
    problem_at,
    seal,
    spec_from_arrays,
)
from .conditions import conditions_text
from .evidence import BackgroundFact, ReferenceClass, ReferenceUse, Window
from .locate import LineMap, Locator, Path_, format_path
from .models import (
    BASELINE,
    AttributeSpec,
    Citation,
    ClaimSpec,
    CptSpec,
    EventSpec,
    ModelSpec,
    NoisyMaxSpec,
    NoisyOrSpec,
    OutcomeSpec,
    PolicySpec,
    QueryRef,
    QuestionSpec,
    ScenarioSpec,
    SourceDoc,
    TableRow,
    UtilityRow,
    UtilitySpec,
    VariableSpec,
    VerbalRow,
)
from .rules import Expanded, check_query_ref, check_spec

__all__ = [
    "BASELINE",
    "AnalystSpec",
    "AttributeSpec",
    "BackgroundFact",
    "Citation",
    "ClaimSpec",
    "CptSpec",
    "EventSpec",
    "Expanded",
    "LineMap",
    "Locator",
    "ModelSpec",
    "NoisyMaxSpec",
    "NoisyOrSpec",
    "OutcomeSpec",
    "Path_",
    "PolicySpec",
    "QueryRef",
    "QuestionSpec",
    "ReferenceClass",
    "ReferenceUse",
    "ScenarioSpec",
    "SourceDoc",
    "TableRow",
    "UtilityRow",
    "UtilitySpec",
    "VariableSpec",
    "VerbalRow",
    "Window",
    "analyst_view",
    "check_query_ref",
    "check_spec",
    "conditions_text",
    "derive",
    "elicited",
    "finish",
    "format_path",
    "locate",
    "pool_tables",
    "problem_at",
    "seal",
    "spec_from_arrays",
]
