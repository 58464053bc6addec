"""h5lint: lint saved Keras/TensorFlow models without importing TensorFlow."""

__version__ = "0.1.0"
