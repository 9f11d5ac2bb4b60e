"""Tests of the maps (package ``cartes``)."""
