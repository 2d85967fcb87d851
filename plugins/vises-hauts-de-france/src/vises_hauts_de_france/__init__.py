"""vises-hauts-de-france: an illustrative grid and a CSV table for French IAE structures.

Structures of insertion par l'activité économique (ACI, EI, ETTI) report exits of employees in
insertion by category ("sorties dynamiques": durable employment, transitional employment,
positive exits). The categories are the published ones; the grid around them is an example.
"""

__version__ = "0.1.0"
