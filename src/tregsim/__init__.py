"""tregsim: in-silico trials of low-dose interleukin-2 in alopecia areata."""

__version__ = "0.1.0"
