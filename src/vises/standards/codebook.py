"""The codes an export cites, as CIDS nodes: IRIS+ metrics, SDG goals (themes) and targets, EFRAG datapoints.

A ``cids:Code`` names the organisation that defines it; the definers are written once each. IRIS+
codes take the IRIs of Common Approach's IRIS+ 5.3 code list, SDG goals and targets the UN's own
(``https://metadata.un.org/sdg/8`` and ``.../8.5``), so two exports that cite the same metric or
target point at the same node. ESRS and VSME datapoints, and any other scheme a grid names in
``external_ids``, have no published IRIs: they are minted under the export's namespace.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote

from vises.standards.jsonld import CODE_VALUE
from vises.validation.codes import sdg_goal_of, sdg_goals

IRIS_LIST = "https://codelist.commonapproach.org/codeLists/IrisMetric53"
SDG_BASE = "https://metadata.un.org/sdg/"

#: Who defines each scheme: (IRI, legal name, the code list's specification).
DEFINERS: dict[str, tuple[str, str, str]] = {
    "iris": ("https://ontology.commonapproach.org/cids#giin", "Global Impact Investing Network (GIIN)", IRIS_LIST),
    "sdg": ("https://www.un.org/", "United Nations", "https://sdgs.un.org/goals"),
    "esrs": ("https://www.efrag.org/", "EFRAG", "https://www.efrag.org/en/sustainability-reporting"),
    "vsme": ("https://www.efrag.org/", "EFRAG", "https://www.efrag.org/en/vsme"),
}
_NAMES = {"iris": "IRIS+ metric", "sdg": "SDG target", "esrs": "ESRS datapoint", "vsme": "VSME datapoint"}


@functools.lru_cache(maxsize=65536)
def segment(text: str) -> str:
    """``text`` as one IRI path segment (every character but the unreserved ones percent-encoded)."""
    return quote(str(text), safe="")


def measure(iri: str, value: str) -> dict[str, str]:
    """An ``i72:Measure``, written inside the node it measures (an IRI node, as the Essential tier asks)."""
    return {"@id": iri, "@type": "i72:Measure", "hasNumericalValue": value}


class CodeBook:
    """The Code, Theme and defining-organisation nodes of one export, each written once."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.nodes: dict[str, dict[str, Any]] = {}

    def _add(self, node: dict[str, Any]) -> str:
        self.nodes.setdefault(node["@id"], node)
        return str(node["@id"])

    def organisation(self, iri: str, legal_name: str) -> str:
        return self._add(
            {"@id": iri, "@type": ["cids:Organization", "cids:StandardsOrganization"], "hasLegalName": legal_name}
        )

    def code(
        self,
        iri: str,
        *,
        value: str,
        name: str,
        description: str,
        specification: str,
        definer: str | None,
        measure_iri: str,
    ) -> str:
        """A ``cids:Code``; ``measure_iri`` (in the export's namespace) names its ``i72:value``."""
        node: dict[str, Any] = {
            "@id": iri,
            "@type": "cids:Code",
            "hasName": name,
            "hasDescription": description,
            "hasIdentifier": value,
            CODE_VALUE: value,
            "hasSpecification": specification,
            "value": measure(measure_iri, value),
        }
        if definer is not None:
            node["definedBy"] = definer
        return self._add(node)

    def scheme_code(self, scheme: str, value: str) -> str:
        """The Code of an ``external_ids`` entry (or of an SDG target when ``scheme`` is ``sdg``)."""
        if scheme in DEFINERS:
            definer_iri, definer_name, specification = DEFINERS[scheme]
            definer: str | None = self.organisation(definer_iri, definer_name)
        else:
            definer, specification = None, f"{self.namespace}code/{segment(scheme)}"
        if scheme == "iris":
            iri = f"{IRIS_LIST}#{segment(value)}"
        elif scheme == "sdg":
            iri = f"{SDG_BASE}{segment(value)}"
        else:
            iri = f"{self.namespace}code/{segment(scheme)}/{segment(value)}"
        label = _NAMES.get(scheme, f"{scheme} code")
        description = f"{label} {value}"
        goal = sdg_goals().get(sdg_goal_of(value)) if scheme == "sdg" else None
        if goal is not None:
            description = f"Target {value} of Sustainable Development Goal {sdg_goal_of(value)}: {goal[0]}"
        return self.code(
            iri,
            value=value,
            name=f"{label} {value}",
            description=description,
            specification=specification,
            definer=definer,
            measure_iri=f"{self.namespace}code/{segment(scheme)}/{segment(value)}/value",
        )

    def theme(self, goal: str) -> str:
        """The Theme of an SDG goal."""
        short, title = sdg_goals()[goal]
        return self._add(
            {
                "@id": f"{SDG_BASE}{goal}",
                "@type": "cids:Theme",
                "hasName": f"Goal {goal}: {short}",
                "hasDescription": title,
            }
        )
