"""`khabar serve`: a read-only window on Khabar's database (Flask, served by waitress).

``app``: the Flask app and its read-only guard; ``pages``: what each page reads; ``filters``: the
event list's query string, read with the validators of `khabar events`; ``annotate``: an
article's text cut into highlighted pieces; ``chart``: the entity page's events over time.
"""
