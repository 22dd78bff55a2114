"""Management commands of the detection app."""
