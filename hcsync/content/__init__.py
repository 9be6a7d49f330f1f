"""Read the content tree, validate it whole, and build the desired state (``Site``)."""
