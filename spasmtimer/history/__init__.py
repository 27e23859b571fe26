"""What was done, kept: the SQLite store (`store`), sessions recorded as they run without
holding up the timer (`recording`), sessions kept beside a history that could not take them
(`kept`), what the app asks of it (`service`), and what is read from it: trends and the status
line. No Textual.
"""
