"""Django-free run-time vision: photo checks, boxes and crops, the model registry, one module per model (LiteRT)."""
