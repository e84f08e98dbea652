"""Drivers of the kernel: the batch driver (many negotiations as arrays), the Mesa driver (one
negotiation step by step) and people in some seats."""
