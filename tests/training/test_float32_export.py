"""evaluate_models compares fp16 with the float32 file of the same training run, and with no other."""

from detection.registry import sha256_of
from training.management.commands.evaluate_models import float32_export


def test_the_recorded_float32_file_is_used_only_while_it_is_unchanged(tmp_path):
    fp32 = tmp_path / "embedder_fp32.tflite"
    fp32.write_bytes(b"float32 weights of run A")
    info = {"float32_export": {"path": str(fp32), "sha256": sha256_of(fp32)}}
    assert float32_export(info) == fp32

    fp32.write_bytes(b"float32 weights of run B")  # a later run rewrote the work folder
    assert float32_export(info) is None
    fp32.unlink()
    assert float32_export(info) is None
    assert float32_export({}) is None  # entries shipped before the file was recorded
