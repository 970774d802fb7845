"""Every write of the community, one module per area."""
