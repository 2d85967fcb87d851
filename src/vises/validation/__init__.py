"""Checking grids and datasets, every problem at once, and the one resolution of defaults."""
