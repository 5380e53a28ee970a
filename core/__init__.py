"""Descent Lab's computation: objectives, the torch.optim registry, the descent loop, explorations and exports.

Never imports streamlit or plotly (viz/ draws, ui/ shows): the command line, the tests and notebooks use it as it is.
"""
