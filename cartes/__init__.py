"""Maps: interactive Folium HTML and static print maps (PNG/PDF)."""
