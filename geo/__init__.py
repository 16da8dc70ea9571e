"""Space: coordinate systems, the gazetteer, imports and (later) the road graph."""
