"""The publishing desk: posts and threads written once, counted, approved and cross-posted."""
