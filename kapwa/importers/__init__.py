"""File importers: exports and archives become the same InboundItems as live connectors."""
