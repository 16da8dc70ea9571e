"""Drills (模拟演练, issue 16): the county schedules a drill at a unit or starts one unannounced;
the drill case runs like a real one and is scored against the targets when it ends."""
