"""Helpers for testing vises and its plugins.

``vises.testing.strategies`` holds hypothesis strategies (``grids()``, ``datasets_for(grid)``);
it is a separate module so that importing ``vises.testing`` does not need hypothesis.
"""
