"""Reading and writing grids and datasets: grid files, CSV and frames, COINr tables.

Kept light on purpose: the submodules import their heavy libraries (pandas, yaml) only when a
function needs them, and nothing is imported here, so ``import vises.io`` costs nothing.
"""
