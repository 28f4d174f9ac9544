"""The Bitcoin lab: does a rising yen lift Bitcoin? Tested from data, with data-snooping control.

Modules, one concept each:

- :mod:`.inputs`: BTC closes and every other input aligned by publication time on BTC's
  7-day calendar (a signal known at day t acts on returns after t);
- :mod:`.events`: event study of yen-appreciation shocks (and user dates, carry-unwind
  episodes) with stationary-bootstrap intervals and a placebo;
- :mod:`.leadlag`: cross-correlations with HAC bands, weekly Granger tests, rolling correlation;
- :mod:`.chain`: the thesis link by link (yen → 10y yield → Fed assets → BTC, and yen → BTC);
- :mod:`.sweep` (+ :mod:`.kernels`, :mod:`.reference`): the fused rule sweep and walk-forward;
- :mod:`.spa`: Hansen's SPA and White's reality check; :mod:`.bootstrap`: the resampling;
- :mod:`.distributed`: the sweep on a ``dask.distributed`` cluster;
- :mod:`.workload`: the synthetic benchmark workload.
"""
