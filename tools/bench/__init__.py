"""The benchmark of gov_qms side by side with OCA's management-system addons: ``python -m tools.bench``
(``./qms bench``). See the README, section "Benchmark"."""
