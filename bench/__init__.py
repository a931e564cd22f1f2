"""`make bench` (issue 8): what credential reuse and every cloud call cost, measured against the sandbox.

Run from the repository root as ``python -m bench``. Each measurement is a module with a
``run(ctx)`` that returns a :class:`bench.common.Result`; ``__main__`` runs them one after the
other against one sandbox, prints the table and writes ``bench/results.md``. The in-process
measurements run in fresh interpreters (``python -m bench.<probe>``) so that what one loads
cannot help or hurt another.
"""
