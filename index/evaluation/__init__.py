"""The lab: evaluation, training data collection, cross-validation and training of the learned ranker.

Offline only: it imports the engine, and nothing the engine runs at answer time imports it (the CLI's `eval` and
`eval-attribution` commands and `python -m index.evaluation.train` are its entry points;
tests/test_architecture.py checks it).
"""
