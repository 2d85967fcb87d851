"""vises-vlaanderen: an illustrative grid and a Dutch report for Flemish maatwerkbedrijven.

Maatwerkbedrijven employ target-group workers (doelgroepwerknemers) with guidance on the shop
floor and aim at transitions (doorstroom) to regular work. The grid is an example built on the
decree's headings, not an official Flemish measurement tool.
"""

__version__ = "0.1.0"
