"""``regcheck upgrade``: two lock files, the study run in each, and which package change moved a result.

``locks`` reads what a project pins, ``ddmin`` is delta debugging over the changed packages,
``interleave`` orders and pools the timing rounds, ``search`` builds the trial environments and
runs the searches, ``report`` renders the outcome as text and Markdown.
"""
