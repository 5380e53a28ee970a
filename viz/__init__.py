"""Plotly figures from core's numbers: the only package that imports plotly. Texts drawn inside figures go through
the page's translation (a Words function)."""
