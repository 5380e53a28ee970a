"""Exploring many runs at once: races of optimizers, basin maps of a grid of starts, learning-rate sweeps."""
