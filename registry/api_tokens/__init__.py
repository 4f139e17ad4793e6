"""Personal API tokens: the member's pages in the portal, and the operations."""
