"""Training and export of the detection models (torch, ultralytics, TensorFlow): never on the run-time path."""
