"""Batched stiff ODE solver: Rodas4 (Hairer & Wanner 1996), numba-compiled, parallel over
patients, with exact dose/reset events.

Entry points: :func:`solve_batch`, :func:`solve_in_chunks`, :func:`iter_chunks`;
events: :class:`EventTable`; results: :class:`BatchSolution`; status codes:
:data:`STATUS_MESSAGES`.
"""

from tregsim.solve.batch import BatchSolution, iter_chunks, solve_batch, solve_in_chunks
from tregsim.solve.events import EventTable
from tregsim.solve.rosenbrock import STATUS_MESSAGES

__all__ = [
    "STATUS_MESSAGES",
    "BatchSolution",
    "EventTable",
    "iter_chunks",
    "solve_batch",
    "solve_in_chunks",
]
