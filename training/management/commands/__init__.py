"""The training, evaluation and benchmark commands."""
