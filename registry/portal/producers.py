"""Producer portal: producers. Routes live on this module's blueprint `bp`."""
from flask import Blueprint

bp = Blueprint("portal_producers", __name__, url_prefix="/portal")
