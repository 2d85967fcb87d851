"""vises-wallonie: grids and a report for Walloon work-integration and social-economy enterprises.

The grids are illustrative: they follow the areas CAIPS names for its member centres, but the
CAIPS tool's items, scales and weights are not public, so none of this is an official grid.
"""

__version__ = "0.1.0"
