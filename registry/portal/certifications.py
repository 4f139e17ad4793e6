"""Producer portal: certifications. Routes live on this module's blueprint `bp`."""
from flask import Blueprint

bp = Blueprint("portal_certifications", __name__, url_prefix="/portal")
