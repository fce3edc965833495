from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from shop.accounts import services
from shop.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    SignInForm,
)
from shop.accounts.session import SESSION_KEY
from shop.auth.policy import public, require_sign_in
from shop.cart.guest import guest_cart_from
from shop.cart.services import merge_guest_cart
from shop.coops.services import memberships_of
from shop.errors import ShopError
from shop.i18n import current_language
from shop.security import safe_next_url

bp = Blueprint("accounts", __name__, url_prefix="/akun")


def start_session(user, remember: bool = False) -> None:
    """A fresh session on every sign-in, so nothing planted before it survives (fixation).
    The guest's cart is carried over into the account's cart, never kept in the session.

    "Keep me signed in" makes this session cookie outlive the browser (for the session
    lifetime) rather than adding Flask-Login's remember cookie: that cookie holds no session
    key, so signing out could not end a copy of it."""
    language = session.get("lang")
    guest_cart = guest_cart_from(session)
    key = services.open_session(user, replacing=session.get(SESSION_KEY))
    session.clear()
    if language:
        session["lang"] = language
    session[SESSION_KEY] = key
    session.permanent = remember
    login_user(user)
    for note in merge_guest_cart(user, guest_cart):
        flash(note, "info")


@bp.route("/daftar", methods=["GET", "POST"])
@public
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.email.data, form.name.data, form.password.data, language=current_language()
            )
        except ShopError as error:
            form[error.field or "email"].errors.append(error.message)
        else:
            start_session(user)
            flash(_("Welcome to Pasar Koperasi, %(name)s!", name=user.name), "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/register.html", form=form)


@bp.route("/masuk", methods=["GET", "POST"])
@public
def sign_in():
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except ShopError as error:
            form.password.errors.append(error.message)
        else:
            start_session(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(safe_next_url(form.next.data, url_for("core.home")))
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/keluar", methods=["POST"])
@public
def sign_out():
    language = session.get("lang")
    key = session.get(SESSION_KEY)
    logout_user()
    session.clear()
    if key:
        services.end_session(key)  # a copy of the cookie, taken before, is worthless now
    if language:
        session["lang"] = language
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/lupa-sandi", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(_("If an account exists for that address, we have sent it a reset link."), "info")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/sandi-baru/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    if services.find_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except ShopError:
            return render_template("accounts/reset_invalid.html"), 404
        start_session(user)
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("core.home"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/ganti-sandi", methods=["GET", "POST"])
@require_sign_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except ShopError as error:
            form[error.field].errors.append(error.message)
        else:
            start_session(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/profil", methods=["GET", "POST"])
@require_sign_in
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, form.name.data, form.phone.data)
        except ShopError as error:
            form[error.field].errors.append(error.message)
        else:
            flash(_("Your name and phone number are saved."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/")
@require_sign_in
def account():
    return render_template(
        "accounts/account.html", memberships=memberships_of(current_user, include_former=True)
    )
