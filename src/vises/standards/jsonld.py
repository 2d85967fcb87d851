"""The JSON-LD vocabulary of the CIDS export: the terms it writes and the ``@context`` that defines them.

The keys are those of Common Approach's published context (``hasLegalName``, ``forIndicator``,
``value``...), so a file reads the same to a program that treats it as plain JSON and to one that
expands it as RDF. By default ``@context`` is the published context's URL, which CIDS tools
recognise; ``embedded`` writes the same definitions inline, for readers that are offline. The few
properties that context lacks (``cids:hasTarget``, ``cids:forTarget``, ``sch:dateCreated``,
``sch:codeValue``) are written as prefixed names, which mean the same under either context.
"""

from __future__ import annotations

from typing import Any

#: The published JSON-LD context of CIDS.
CIDS_CONTEXT_URL = "https://ontology.commonapproach.org/contexts/cidsContext.jsonld"

PREFIXES = {
    "cids": "https://ontology.commonapproach.org/cids#",
    "org": "http://ontology.eil.utoronto.ca/tove/organization#",
    "i72": "http://ontology.eil.utoronto.ca/ISO21972/iso21972#",
    "prov": "http://www.w3.org/ns/prov#",
    "sch": "http://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_ID = "@id"
#: term -> (property, type of its values: ``@id`` for links, else a datatype).
TERMS: dict[str, tuple[str, str]] = {
    "hasLegalName": ("org:hasLegalName", "xsd:string"),
    "hasName": ("org:hasName", "xsd:string"),
    "hasDescription": ("cids:hasDescription", "xsd:string"),
    "hasComment": ("cids:hasComment", "xsd:string"),
    "hasIdentifier": ("org:hasIdentifier", "xsd:string"),
    "unitDescription": ("cids:unitDescription", "xsd:string"),
    "hasNumericalValue": ("i72:hasNumericalValue", "xsd:string"),
    "hasCatchmentArea": ("cids:hasCatchmentArea", "xsd:string"),
    "isUnderserved": ("cids:isUnderserved", "xsd:boolean"),
    "hasSpecification": ("cids:hasSpecification", "xsd:anyURI"),
    "startedAtTime": ("prov:startedAtTime", "xsd:dateTime"),
    "endedAtTime": ("prov:endedAtTime", "xsd:dateTime"),
    "forOrganization": ("cids:forOrganization", _ID),
    "forOutcome": ("cids:forOutcome", _ID),
    "forIndicator": ("cids:forIndicator", _ID),
    "forStakeholder": ("cids:forStakeholder", _ID),
    "forTheme": ("cids:forTheme", _ID),
    "hasOutcome": ("cids:hasOutcome", _ID),
    "hasIndicator": ("cids:hasIndicator", _ID),
    "hasIndicatorReport": ("cids:hasIndicatorReport", _ID),
    "hasStakeholderOutcome": ("cids:hasStakeholderOutcome", _ID),
    "hasImpactReport": ("cids:hasImpactReport", _ID),
    "hasImpactScale": ("cids:hasImpactScale", _ID),
    "hasImpactDepth": ("cids:hasImpactDepth", _ID),
    "hasCode": ("cids:hasCode", _ID),
    "hasBaseline": ("cids:hasBaseline", _ID),
    "definedBy": ("cids:definedBy", _ID),
    "value": ("i72:value", _ID),
}

#: Properties the published context does not define, written as prefixed names.
HAS_TARGET = "cids:hasTarget"
FOR_TARGET = "cids:forTarget"
DATE_CREATED = "sch:dateCreated"
CODE_VALUE = "sch:codeValue"


def link(iri: str) -> dict[str, str]:
    """A link through a property the context does not type as ``@id``."""
    return {"@id": iri}


def typed(value: str, datatype: str) -> dict[str, str]:
    """A literal of a datatype, for a property the context does not type."""
    return {"@value": value, "@type": datatype}


def context(mode: str) -> Any:
    """The document's ``@context``: the published URL (``remote``) or the definitions inline (``embedded``)."""
    if mode == "remote":
        return CIDS_CONTEXT_URL
    inline: dict[str, Any] = dict(PREFIXES)
    inline.update({term: {"@id": iri, "@type": kind} for term, (iri, kind) in TERMS.items()})
    return inline
