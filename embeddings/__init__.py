"""The Siamese embedder and the vector index (models arrive with issue 3, search with issue 4)."""
