"""The parts of the built-in normalisers, one family per module; ``vises.normalise`` assembles them."""
