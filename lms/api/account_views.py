"""The account page's API access: create, name, scope and revoke personal access tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.api import tokens
from lms.api.forms import RevokeTokenForm, TokenForm
from lms.api.models import ApiToken
from lms.clock import utc_now
from lms.errors import LmsError
from lms.extensions import db
from lms.forms import attach_error
from lms.security import personal_data
from lms.transaction import all_or_nothing

bp = Blueprint("tokens", __name__, template_folder="templates")


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> tuple[str, int]:
    if current_user.role not in tokens.WRITERS:
        form.scope.choices = form.scope.choices[:1]
    return render_template("api/tokens.html", form=form, secret=secret,
                           tokens=tokens.open_tokens(current_user),
                           revoke_form=RevokeTokenForm()), status


@bp.get("/account/tokens")
@login_required
def token_list() -> tuple[str, int]:
    """The person's tokens and a form to make one."""
    return _page(TokenForm())


@bp.post("/account/tokens")
@login_required
@personal_data
def token_create() -> tuple[str, int]:
    """Make a token and show it, once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        with all_or_nothing():
            _token, secret = tokens.create_token(current_user, name=form.name.data,
                                                 scope=form.scope.data, now=utc_now())
    except LmsError as error:
        attach_error(form, error)
        return _page(form, status=400)
    db.session.commit()
    return _page(TokenForm(formdata=None), secret=secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id: int) -> Response:
    """Stop a token working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.person_id != current_user.id:
        abort(404)
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    tokens.revoke_token(token, actor=current_user, now=utc_now())
    db.session.commit()
    flash(_("The token “%(name)s” no longer works.", name=token.name), "success")
    return redirect(url_for("tokens.token_list"))
