"""Campaigns: many replicate trials of a scenario, in chunks, locally or on a Dask cluster.

One entry point, :func:`run_campaign`; :func:`assemble_summary` turns per-replicate records
into the summary dict; :func:`synthetic_replicate` is a fast test and benchmark workload.
"""

from tregsim.campaign.chunks import Chunk, plan_chunks
from tregsim.campaign.run import CampaignInterrupted, CampaignResult, run_campaign
from tregsim.campaign.summary import assemble_summary
from tregsim.campaign.synthetic import synthetic_replicate

__all__ = [
    "CampaignInterrupted",
    "CampaignResult",
    "Chunk",
    "assemble_summary",
    "plan_chunks",
    "run_campaign",
    "synthetic_replicate",
]
