"""Frameworks and devices: the environment fingerprint, Keras backends, device probes, worker pools, start-up notices.

A study opts in (``Model.framework``); the engine asks nothing of a framework no model names.
"""
