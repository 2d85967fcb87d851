"""The parts of the built-in normalisers, one family per module; ``vises.methods.normalise`` assembles them."""
