"""The agriculture office: review queue, scoring, decisions, revocation, dashboard."""
