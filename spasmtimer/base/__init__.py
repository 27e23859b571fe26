"""What every layer stands on, and nothing of the domain: text made safe for a terminal
(`text`), files read and written with care (`files`), where things are kept (`locations`), the
process's exit statuses (`exits`) and start-up (`startup`), and the one error a person is told
(`errors`)."""
