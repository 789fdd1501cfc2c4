"""Model runners: each turns a configuration, a split and a seed into a ResultRecord.

Runners import their framework lazily, so the scikit-learn half never pays for Keras.
"""
