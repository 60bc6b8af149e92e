"""Advantage-Weighted Regression, generic over Gymnasium-style environments (torch + numpy)."""
