"""Django-free retrieval: the run-time embedder, the vector-index interface and its backends, and retrieval metrics."""
