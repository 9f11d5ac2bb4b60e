"""Isochrone polygons and service catchments (bassins)."""
