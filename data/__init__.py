"""Configuration data shipped with the project (gammes, speed tables, label mappings).

Installed as the package ``accessibilite.data``; read with :mod:`importlib.resources`
through :func:`accessibilite.ressources.chemin_donnee`.
"""
