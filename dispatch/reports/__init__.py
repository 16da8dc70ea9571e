"""Time-audit reports: door-to-intervention times against the accreditation targets."""
