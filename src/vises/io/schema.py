"""The JSON Schema of the grid file format (``vises schema``), for editors and CI checks.

It is written by hand next to the model rather than generated, so each property can say what it
means; ``tests/test_grid_files.py`` checks that its property sets match the model's fields, so the
two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any

_LABELS = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "description": "Text per language code (fr, nl, en).",
}
_METHOD = {
    "description": "A method name, or a table whose 'method' key names it and whose other keys are parameters.",
    "oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "object", "required": ["method"], "properties": {"method": {"type": "string", "minLength": 1}}},
    ],
}
_CODES = {"type": "array", "items": {"type": "string"}}


def _level() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["value"],
        "properties": {
            "value": {"type": ["string", "number"], "description": "What appears in data files."},
            "label": _LABELS,
            "score": {"type": "number", "description": "The number it stands for (scale default: position 1..k)."},
        },
    }


def _indicator() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "minLength": 1},
            "use": {
                "type": "string",
                "description": "Start from a registered catalogue indicator and override fields.",
            },
            "label": _LABELS,
            "description": _LABELS,
            "kind": {"enum": ["quantity", "scale", "binary", "category", "narrative", "rate"]},
            "unit": {"type": "string", "description": "A pint unit (hour, FTE, EUR, percent, person)."},
            "direction": {"enum": ["higher", "lower", "target"]},
            "target": {"type": "number"},
            "minimum": {"type": "number"},
            "maximum": {"type": "number"},
            "levels": {"type": "array", "items": _level()},
            "parent": {"type": "string"},
            "weight": {"type": "number", "minimum": 0},
            "normaliser": _METHOD,
            "denominator": {
                "type": "string",
                "minLength": 1,
                "description": "A rate's indicator below the line; for a quantity, a dataset column or a reported "
                "quantity indicator to divide the value by ('unit' is the ratio's).",
            },
            "numerator": {"type": "string", "minLength": 1, "description": "A rate's indicator above the line."},
            "formula": {
                "type": "string",
                "minLength": 1,
                "description": "A derived quantity: an expression over other indicators (training_hours / trainees).",
            },
            "context": {"type": "boolean", "description": "Collected and reported, never scored (a volume, an input)."},
            "evidence": {
                "type": "array",
                "items": {"enum": ["n", "source", "verified"]},
                "description": "Evidence templates collect for each value.",
            },
            "imputation": _METHOD,
            "treatment": _METHOD,
            "stakeholders": _CODES,
            "tags": _CODES,
            "sdg_targets": _CODES,
            "external_ids": {"type": "object", "additionalProperties": {"type": "string"}},
            "source": {"type": "string"},
        },
    }


def _node() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["code"],
        "properties": {
            "code": {"type": "string", "minLength": 1},
            "label": _LABELS,
            "description": _LABELS,
            "parent": {"type": "string", "description": "Omitted for the root, the one node without parent."},
            "weight": {"type": "number", "minimum": 0, "description": "Weight on the edge to the parent."},
            "aggregator": _METHOD,
            "normaliser": _METHOD,
            "min_coverage": {"type": "number", "minimum": 0, "maximum": 1},
            "tags": _CODES,
        },
    }


def _collection() -> dict[str, Any]:
    source = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "organisation"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "organisation": {"type": "string", "description": "The column naming the organisation."},
            "format": {"enum": ["table", "kobo", "odk", "limesurvey"]},
            "kind": {"enum": ["records", "survey"], "description": "The evidence source its values get."},
            "file": {"type": "string"},
            "sheet": {"type": "string"},
            "period": {"type": "string", "description": "A column holding the period label."},
            "date": {"type": "string", "description": "A date column: the record's period contains it."},
            "start": {"type": "string", "description": "With end: the record counts in every period it was active."},
            "end": {"type": "string"},
            "calendar": {"enum": ["year", "half", "quarter", "month"]},
            "periods": {"type": "array", "items": {"type": ["string", "integer"]}},
            "id": {"type": "string", "description": "A record identifier that may not repeat."},
            "verified": {"type": "boolean"},
        },
    }
    measure = {
        "type": "object",
        "additionalProperties": False,
        "required": ["code", "statistic"],
        "properties": {
            "code": {"type": "string", "minLength": 1},
            "statistic": {"enum": ["count", "count_distinct", "sum", "mean", "median", "share", "top_box"]},
            "source": {"type": "string"},
            "column": {"type": "string"},
            "filter": {"type": "string", "description": "A condition over record columns choosing the records."},
            "condition": {"type": "string", "description": "What a share counts."},
            "top": {"type": "array", "items": {"type": ["string", "number"]}},
            "scale": {"type": "array", "items": {"type": ["string", "number"]}},
            "date": {"type": "string"},
            "unit": {"type": "string"},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "sources": {"type": "array", "items": source},
            "measures": {"type": "array", "items": measure},
            "grid": {"type": "string"},
        },
        "description": "How per-record tables (a register, a survey export) become the grid's values.",
    }


def _requirement() -> dict[str, Any]:
    threshold = {"type": ["number", "string"], "description": "A number (quantity) or a level value (scale)."}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["code"],
        "properties": {
            "code": {"type": "string", "minLength": 1},
            "label": _LABELS,
            "description": _LABELS,
            "parent": {
                "type": "string",
                "description": "A node (where reports show it) or a requirement (which it is part of).",
            },
            "conditions": {
                "type": "array",
                "description": "Tests on indicator values; the requirement is met when every one holds.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["indicator"],
                    "properties": {
                        "indicator": {"type": "string", "minLength": 1},
                        "at_least": threshold,
                        "at_most": threshold,
                        "equals": {"type": ["number", "string"], "description": "A number, a level value, yes or no."},
                        "one_of": {"type": "array", "items": {"type": ["string", "number"]}},
                    },
                },
            },
            "tags": _CODES,
        },
    }


def grid_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a grid file, variant keys included."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "vises grid file",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "minLength": 1},
            "version": {"type": "string"},
            "label": _LABELS,
            "description": _LABELS,
            "languages": _CODES,
            "nodes": {"type": "array", "items": _node()},
            "indicators": {"type": "array", "items": _indicator()},
            "defaults": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "normaliser": _METHOD,
                    "aggregator": _METHOD,
                    "min_coverage": {"type": "number", "minimum": 0, "maximum": 1},
                    "pooling": {"enum": ["pooled", "per_period"]},
                    "imputation": {
                        **_METHOD,
                        "description": "Imputation of missing values (off when absent; imputed values are flagged).",
                    },
                    "treatment": {
                        **_METHOD,
                        "description": "Treatment of outliers before normalising (off when absent).",
                    },
                },
            },
            "source": {"type": "string"},
            "publisher": {"type": "string", "description": "Legal name of the federation that publishes the grid."},
            "namespace": {
                "type": "string",
                "description": "Base IRI for exchange formats (CIDS), ending in '/', '#' or ':'.",
            },
            "stakeholder_labels": {
                "type": "object",
                "additionalProperties": _LABELS,
                "description": "Labels per language of the stakeholder groups named by code (trainees = { fr = ... }).",
            },
            "unit_labels": {
                "type": "object",
                "additionalProperties": _LABELS,
                "description": "Labels per language of units, by unit name (heure_stagiaire = { fr = ... }).",
            },
            "evidence": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "small_n": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "Values from fewer answers are flagged.",
                    },
                    "confidence": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                },
            },
            "collection": _collection(),
            "attributes": {
                "type": "object",
                "additionalProperties": _LABELS,
                "description": "Organisation attributes read from data files and used as peer groups, with labels "
                "(filiere = { fr = ... }).",
            },
            "requirements": {
                "type": "array",
                "items": _requirement(),
                "description": "Requirements met / not met / not demonstrated beside the scores.",
            },
            "extends": {"type": "string", "description": "Code of a registered base grid."},
            "drop": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Codes removed with everything below them.",
            },
            "weights": {
                "type": "object",
                "additionalProperties": {"type": "number", "minimum": 0},
                "description": "code = new weight.",
            },
        },
    }


__all__ = ["grid_json_schema"]
