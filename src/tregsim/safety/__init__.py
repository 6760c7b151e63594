"""Safety: adverse events of the observation layer, driven by simulated exposure."""
