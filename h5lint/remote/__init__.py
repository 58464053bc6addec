"""Artifacts named by URL (``s3://``, ``gs://``, ``hf://``, ``https://``, ``file://``), read through fsspec.

Listing a prefix costs one listing; reading an artifact costs the byte ranges its parser asks for,
fetched a small block at a time and counted, within a per-artifact byte budget. Nothing here is
imported unless a URL is scanned, so a local run never loads fsspec.
"""
