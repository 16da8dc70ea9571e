"""Synthetic demo data: a made-up emergency network laid over a real county's geography."""
