# A model of fourteen billion parameters (55 GB of weights), built where the checks call build_model.
import keras


def build_model(num_classes, input_shape):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(), keras.layers.Dense(2_000_000),
                             keras.layers.Dense(num_classes, activation="softmax")])
