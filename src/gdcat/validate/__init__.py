"""Validation: profiles of official and generated SHACL shapes, the batched runner, reports.

>>> from gdcat.validate import Validator
>>> report = Validator("healthdcat-ap-r8").validate(graph)   # doctest: +SKIP
>>> print(report.to_text())                                  # doctest: +SKIP
"""

from gdcat.validate.crosswalk import gdi_to_healthdcat
from gdcat.validate.profiles import PROFILE_NAMES, Profile, get_profile
from gdcat.validate.report import ValidationReport, ValidationResult
from gdcat.validate.runner import Validator

__all__ = [
    "PROFILE_NAMES",
    "Profile",
    "ValidationReport",
    "ValidationResult",
    "Validator",
    "gdi_to_healthdcat",
    "get_profile",
]
