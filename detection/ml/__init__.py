"""Django-free detector and gender-classifier code, run with LiteRT (models arrive with issue 3)."""
