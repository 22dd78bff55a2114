"""Training, export, evaluation and model benchmarks: the only home of torch, TensorFlow, keras, ultralytics and onnx.

Nothing in the app imports this package; its management commands read the lookbook (synthetic/),
the scraped catalog or a folder of photos, train, export TFLite into weights/, and evaluate.
"""
