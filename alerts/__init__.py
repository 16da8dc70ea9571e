"""Information before the patient: alerts, the durable stream, delivery (issue 5)."""
