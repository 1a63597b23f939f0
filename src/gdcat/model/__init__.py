"""Runtime access to gdcat's model: slot and predicate tables, the JSON-LD context, steward YAML.

The LinkML schemas in ``model/`` are the source of truth; ``make generate`` writes the SHACL,
OWL, JSON-LD context, reference docs and pydantic classes from them (see ``generate.py``).
"""

from gdcat.model.schema import datatype_ranges, predicate_for, slot_name_for

__all__ = ["datatype_ranges", "predicate_for", "slot_name_for"]
