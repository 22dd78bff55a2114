"""Training and export of the embedding models (TensorFlow/Keras): never on the run-time path."""
