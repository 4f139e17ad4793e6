"""Producer portal: batches. Routes live on this module's blueprint `bp`."""
from flask import Blueprint

bp = Blueprint("portal_batches", __name__, url_prefix="/portal")
