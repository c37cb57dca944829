"""One-off experiments, each run by hand and written up once in bench/RESULTS.md (not `make bench`, not tested):
`python -m bench.experiments.NAME`."""
