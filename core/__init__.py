"""Descent Lab's computation: objectives, the torch.optim registry, the descent loop and figures.

Never imports streamlit: the command line, the tests and notebooks use it as it is.
"""
