"""The patient's episode: cases, time stamps, intervals, dispatch and decision support."""
