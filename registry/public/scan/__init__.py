"""The scan, in one place: what a scanned address means, and the page that says it.

``rules`` (pure: rating statements, verdict findings), ``checks`` (recording scans and
counting clients), ``snapshot`` (the address's facts, cached per process by public
version), ``linkset`` and ``addresses`` (the resolver's links), ``views`` (routes).
"""
