"""The memory domain: service, search fusion, chunking and text handling. No HTTP here."""
