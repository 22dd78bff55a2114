"""Management commands of the embeddings app."""
