"""Pure OCOP domain rules: groups, criteria sets, star bands, validity, award levels.

Nothing here imports Flask or the database, so the rules are tested on their own and
every view, template and command asks the same functions.
"""
