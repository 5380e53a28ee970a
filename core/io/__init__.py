"""Runs written out: CSV and JSON exports, and the run as a standalone torch script."""
