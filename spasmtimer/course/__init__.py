"""A course of exercise, as a physiotherapist prescribes one: what is due today, whether it is
kept, the report for the clinician and the calendar (docs/course.md). Above the history, whose
sessions it counts; no Textual."""
