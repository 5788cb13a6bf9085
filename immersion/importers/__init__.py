"""Importers: turn the files researchers have into story bundles."""
