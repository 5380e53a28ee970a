"""Streamlit helpers shared by the pages: set-up, cached runs and figures, widgets built from the registries."""
