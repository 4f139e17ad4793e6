"""Producer portal: a member keeps its producer's products (names, group, GTIN, photos).

Members act for their own producer only (``current_user.producer_id``); the office's
administrators act for any producer and choose it when they add a product. Every route
checks ``Perm.PRODUCT_EDIT`` on the product (or, for a new one, its producer): a member of
another producer gets 403 and nothing changes. Views are thin: read the form, call one
operation from ``product_ops``, commit once, redirect; a refusal rolls back and shows the
form again with the user's input and the operation's status.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import web
from ..exceptions import OperationRefused
from ..extensions import db
from ..labels.gs1 import display_gtin
from ..labels.links import product_path
from ..models import Producer, Product, ProductPhoto, ProductStatus, Role
from ..permissions import Perm, authorize, requires
from ..public.catalogue import group_label
from . import operations as ops
from .forms import PHOTO_ACCEPT, ActionForm, NewProductForm, PhotoForm, ProductForm
from .photos import prepare_photo

bp = Blueprint("portal_products", __name__, url_prefix="/portal")

PER_PAGE = 30


def _is_admin() -> bool:
    return current_user.role is Role.ADMIN


def _product(product_id: int) -> Product:
    """The product, if the current user may edit it (404 unknown, 403 someone else's)."""
    product = db.session.get(Product, product_id)
    if product is None:
        abort(404)
    authorize(Perm.PRODUCT_EDIT, product)
    return product


def _photo(product: Product, photo_id: int) -> ProductPhoto:
    photo = db.session.get(ProductPhoto, photo_id)
    if photo is None or photo.product_id != product.id:
        abort(404)
    return photo


def _uploads(field) -> list:
    return [f for f in request.files.getlist(field.name) if f and f.filename]


def _prepared(uploads, alt: str | None = None) -> list[ops.NewPhoto]:
    """Check and re-encode every upload before anything is stored."""
    return [ops.NewPhoto(prepare_photo(upload.read()), upload.filename, alt)
            for upload in uploads]


def _refused(form, refused: OperationRefused, field: str | None = None) -> int:
    """Show the message next to its field (or at the top); the status."""
    field = getattr(refused, "field", None) or field
    if field and field in form:
        form[field].errors = [*form[field].errors, refused.message]
        flash(_("Chưa lưu được: hãy sửa các mục có báo lỗi bên dưới."), "error")
    else:
        flash(refused.message, "error")
    return refused.status


def _subgroup_suggestions() -> list[str]:
    """Subgroups already used, offered in a datalist so the same one is typed alike."""
    return list(db.session.scalars(
        db.select(Product.subgroup).where(Product.subgroup.is_not(None),
                                          Product.status == ProductStatus.ACTIVE)
        .distinct().order_by(Product.subgroup).limit(100)))


@bp.route("/products")
@requires(Perm.PRODUCT_EDIT)
def index():
    query = (db.select(Product)
             .options(selectinload(Product.photos).selectinload(ProductPhoto.thumb))
             .order_by(Product.status, Product.search_text, Product.id))
    if not _is_admin():
        query = query.where(Product.producer_id == current_user.producer_id)
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=PER_PAGE,
                       error_out=False)
    return render_template("portal/products/list.html", page=page,
                           product_path=product_path, show_producer=_is_admin(),
                           group_label=group_label, display_gtin=display_gtin)


@bp.route("/products/new", methods=["GET", "POST"])
@requires(Perm.PRODUCT_EDIT)
def new():
    producers = None
    if _is_admin():
        producers = [(p.id, p.name) for p in db.session.scalars(
            db.select(Producer).order_by(Producer.name, Producer.id))]
    form = NewProductForm(producer_choices=producers)
    status = 200
    if form.validate_on_submit():
        producer_id = form.producer_id.data if producers is not None else \
            current_user.producer_id
        authorize(Perm.PRODUCT_EDIT, producer_id)
        producer = db.session.get(Producer, producer_id)
        outcome = web.run(lambda: ops.create_product(
            producer, form.product_data(), _prepared(_uploads(form.photos)), actor=web.actor()),
            done=lambda product: _("Đã thêm sản phẩm “%(name)s”.", name=product.name_vi),
            flash_refusal=False)
        if outcome.ok:
            return redirect(url_for(".edit", product_id=outcome.value.id))
        status = _refused(form, outcome.refused, field="photos")
    elif form.is_submitted():
        status = 400
        flash(_("Chưa lưu được: hãy sửa các mục có báo lỗi bên dưới."), "error")
    return render_template("portal/products/new.html", form=form,
                           subgroups=_subgroup_suggestions(), photo_accept=PHOTO_ACCEPT), status


def _edit_page(product: Product, form=None, photo_form=None, status: int = 200):
    blockers = ops.deletion_blockers([product.id]).get(product.id, [])
    if form is None:
        form = ProductForm(formdata=None, obj=product)
        form.gtin.data = display_gtin(product.gtin) or None
    return render_template(
        "portal/products/edit.html", product=product, form=form,
        photo_form=photo_form or PhotoForm(formdata=None), action_form=ActionForm(),
        cannot_delete=ops.cannot_delete_message(blockers) if blockers else None,
        gtin_locked=ops.gtin_locked_message() if ops.has_label_runs(product) else None,
        subgroups=_subgroup_suggestions(), photo_accept=PHOTO_ACCEPT,
        public_path=product_path(product), max_photos=ops.MAX_PHOTOS), status


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@requires(Perm.PRODUCT_EDIT)
def edit(product_id: int):
    product = _product(product_id)
    if request.method == "GET":
        return _edit_page(product)
    form = ProductForm()
    if not form.validate_on_submit():
        flash(_("Chưa lưu được: hãy sửa các mục có báo lỗi bên dưới."), "error")
        return _edit_page(product, form=form, status=400)
    outcome = web.run(lambda: ops.update_product(product, form.product_data(), actor=web.actor()),
                      done=lambda changes: _("Đã lưu thay đổi.") if changes
                      else _("Không có gì thay đổi."), flash_refusal=False)
    if not outcome.ok:
        return _edit_page(product, form=form, status=_refused(form, outcome.refused))
    return redirect(url_for(".edit", product_id=product.id))


@bp.route("/products/<int:product_id>/photos", methods=["POST"])
@requires(Perm.PRODUCT_EDIT)
def add_photos(product_id: int):
    product = _product(product_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        flash(_("Chưa lưu được: hãy sửa các mục có báo lỗi bên dưới."), "error")
        return _edit_page(product, photo_form=form, status=400)
    outcome = web.run(lambda: ops.add_photos(
        product, _prepared(_uploads(form.photos), form.alt_vi.data), actor=web.actor()),
        done=lambda added: _("Đã thêm %(n)s ảnh.", n=len(added)), flash_refusal=False)
    if not outcome.ok:
        return _edit_page(product, photo_form=form,
                          status=_refused(form, outcome.refused, field="photos"))
    return redirect(url_for(".edit", product_id=product.id, _anchor="anh"))


def _action(product: Product, operation, done: str, target: str = ".edit"):
    """A button's POST: check the CSRF token, run ``operation``, commit, redirect."""
    web.posted(ActionForm())
    then = url_for(".index") if target == ".index" else url_for(target, product_id=product.id)
    return web.button(operation, done=done, then=then,
                      back=url_for(".edit", product_id=product.id))


@bp.route("/products/<int:product_id>/photos/<int:photo_id>/delete", methods=["POST"])
@requires(Perm.PRODUCT_EDIT)
def remove_photo(product_id: int, photo_id: int):
    product = _product(product_id)
    photo = _photo(product, photo_id)
    return _action(product, lambda: ops.remove_photo(photo, actor=web.actor()), _("Đã xoá ảnh."))


@bp.route("/products/<int:product_id>/photos/<int:photo_id>/first", methods=["POST"])
@requires(Perm.PRODUCT_EDIT)
def cover_photo(product_id: int, photo_id: int):
    product = _product(product_id)
    photo = _photo(product, photo_id)
    return _action(product, lambda: ops.make_cover_photo(photo, actor=web.actor()),
                   _("Đã đổi ảnh đại diện."))


def _status_view(name: str, operation, message: Callable[[], str]):
    """The POST that archives a product or restores it (same shape, own endpoint)."""

    def view(product_id: int):
        product = _product(product_id)
        return _action(product, lambda: operation(product, actor=web.actor()), message())

    view.__name__ = name
    bp.add_url_rule(f"/products/<int:product_id>/{name}", name,
                    requires(Perm.PRODUCT_EDIT)(view), methods=["POST"])


_status_view("archive", ops.archive_product, lambda: _(
    "Đã lưu trữ sản phẩm; sản phẩm không còn hiện trong danh mục công khai."))
_status_view("restore", ops.restore_product, lambda: _(
    "Đã khôi phục sản phẩm; sản phẩm hiện lại trong danh mục công khai."))


@bp.route("/products/<int:product_id>/delete", methods=["POST"])
@requires(Perm.PRODUCT_EDIT)
def delete(product_id: int):
    product = _product(product_id)
    name = product.name_vi
    return _action(product, lambda: ops.delete_product(product, actor=web.actor()),
                   _("Đã xoá sản phẩm “%(name)s”.", name=name), target=".index")
