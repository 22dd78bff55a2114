"""Run-time embedding of garment crops (LiteRT + NumPy, no Django, no TensorFlow)."""
