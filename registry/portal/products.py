"""Producer portal: products. Routes live on this module's blueprint `bp`."""
from flask import Blueprint

bp = Blueprint("portal_products", __name__, url_prefix="/portal")
