"""The community's pages, one module per area."""
