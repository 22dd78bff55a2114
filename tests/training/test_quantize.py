"""Float16 TFLite files to int8: the weights read as float32 first, then quantized on calibration inputs."""

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter

from detection.litert import TFLiteModel
from detection.registry import verified_model
from training.quantize import float32_file, int8_file, int8_weights_file


def _dequantize_ops(path) -> int:
    ops = Interpreter(model_path=str(path))._get_ops_details()
    return sum(op["op_name"] == "DEQUANTIZE" for op in ops)


def test_a_float16_file_read_as_float32_gives_the_same_outputs(tmp_path):
    # given the shipped float16 embedder, whose weights each pass through a DEQUANTIZE op
    source = verified_model("embedder").path
    assert _dequantize_ops(source) > 0
    # when its weights are written as float32
    out = tmp_path / "embedder_float32.tflite"
    changed = float32_file(source, out)
    # then no weight is dequantized at run time any more, the graph has a signature, and the outputs are the same
    assert changed > 0 and _dequantize_ops(out) == 0
    assert "serving_default" in Interpreter(model_path=str(out)).get_signature_list()
    x = np.random.default_rng(0).random(TFLiteModel(source).input_shape, dtype=np.float32)
    np.testing.assert_allclose(TFLiteModel(out).run(x)[0], TFLiteModel(source).run(x)[0], atol=1e-5)


@pytest.fixture(scope="module")
def small_convnet(tmp_path_factory):
    """A small float16 convolutional classifier, as the trainers export theirs."""
    import keras

    from training.keras_export import export_tflite

    keras.utils.set_random_seed(0)
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(16, 3, activation="relu")(inputs)
    x = keras.layers.Conv2D(32, 3, strides=2, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(4)(x))
    return export_tflite(model, tmp_path_factory.mktemp("convnet") / "convnet_fp16.tflite")


def test_an_int8_file_keeps_the_float_models_outputs_and_takes_float_inputs(small_convnet, tmp_path):
    # given calibration inputs like those it will see
    rng = np.random.default_rng(1)
    calibration = [rng.random((1, 32, 32, 3), dtype=np.float32) for _ in range(32)]
    # when it is quantized to int8
    out = tmp_path / "convnet_int8.tflite"
    int8_file(small_convnet, out, calibration)
    # then its input is an int8 tensor, fed float photos by TFLiteModel through its scale, and its outputs
    # stay close to the float model's on inputs it was not calibrated on
    assert Interpreter(model_path=str(out)).get_input_details()[0]["dtype"] == np.int8
    before, after = TFLiteModel(small_convnet), TFLiteModel(out)
    for _ in range(8):
        x = rng.random((1, 32, 32, 3), dtype=np.float32)
        expected, got = before.run(x)[0], after.run(x)[0]
        assert got.dtype == np.float32
        assert np.abs(got - expected).max() < 0.05 * np.abs(expected).max() + 1e-3


def test_the_layers_kept_in_float_stay_float(small_convnet, tmp_path):
    rng = np.random.default_rng(2)
    calibration = [rng.random((1, 32, 32, 3), dtype=np.float32) for _ in range(8)]
    everything, dense_float = tmp_path / "all.tflite", tmp_path / "dense_float.tflite"
    int8_file(small_convnet, everything, calibration)
    int8_file(small_convnet, dense_float, calibration, keep_float=".*(dense|Identity|StatefulPartitionedCall).*")
    outputs = Interpreter(model_path=str(dense_float)).get_output_details()
    assert outputs[0]["dtype"] == np.float32  # the head left in float32 writes a float output
    assert Interpreter(model_path=str(everything)).get_output_details()[0]["dtype"] == np.int8


def test_int8_weights_alone_halve_the_file_and_keep_the_outputs(small_convnet, tmp_path):
    out = tmp_path / "convnet_int8_weights.tflite"
    int8_weights_file(small_convnet, out)
    assert Interpreter(model_path=str(out)).get_input_details()[0]["dtype"] == np.float32  # activations stay float
    x = np.random.default_rng(3).random((1, 32, 32, 3), dtype=np.float32)
    expected, got = TFLiteModel(small_convnet).run(x)[0], TFLiteModel(out).run(x)[0]
    assert np.abs(got - expected).max() < 0.02 * np.abs(expected).max() + 1e-3
