"""The shopper's review form, the member's reply and the admin's reason for hiding."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, SelectChoice, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired

from shop.forms_common import max_length
from shop.reviews.models import MAX_HIDDEN_REASON, MAX_PHOTOS, MAX_TEXT

STAR_CHOICES = [SelectChoice(n, "★" * n) for n in range(5, 0, -1)]


def _stars(value) -> int | None:
    """The posted rating as a number, None for anything else (refused by StarsField)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class StarsField(RadioField):
    """1 to 5 stars; anything else gets our translated message, not WTForms' own."""

    def pre_validate(self, form) -> None:
        if self.data not in range(1, 6):
            raise ValidationError(_l("Choose from 1 to 5 stars."))


class ReviewForm(FlaskForm):
    rating = StarsField(
        _l("Your rating"),
        choices=STAR_CHOICES,
        coerce=_stars,
        validators=[InputRequired(_l("Choose from 1 to 5 stars."))],
    )
    text = TextAreaField(_l("Your review (optional)"), validators=[max_length(MAX_TEXT)])
    photos = MultipleFileField(_l("Photos (up to %(count)d)", count=MAX_PHOTOS))


class ReplyForm(FlaskForm):
    text = TextAreaField(
        _l("Your reply"),
        validators=[DataRequired(_l("Write your reply.")), max_length(MAX_TEXT)],
    )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Why hide it"),
        validators=[
            DataRequired(_l("Say why the review is hidden.")),
            max_length(MAX_HIDDEN_REASON),
        ],
    )
