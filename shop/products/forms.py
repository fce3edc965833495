"""The product editor's form (one for create and edit) and the consoles' small forms.

Variants are rows of a FieldList; without JavaScript, "Add a variant" posts the form and
comes back with one more empty row. Photos already saved are rows too (alt text, position,
remove); new ones come in one multiple-file field, so a phone can pick several at once.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from shop.forms_common import ChoiceField, max_length
from shop.money import parse_rupiah
from shop.payouts.forms import rupiah_above_zero
from shop.products.editor import DESCRIPTION_MAX, NAME_MAX, STOCK_MAX, WEIGHT_MAX_GRAMS
from shop.products.review import REASON_MAX


def _number(label, low: int, high: int, required: bool = True, default: int | None = None):
    checks = [NumberRange(low, high, _l("Enter %(min)s to %(max)s.", min=low, max=high))]
    first = InputRequired(_l("Enter a number.")) if required else Optional()
    return IntegerField(label, validators=[first, *checks], default=default)


class VariantForm(Form):
    variant_id = HiddenField()
    stock_seen = HiddenField()
    option_label = StringField(_l("Option (e.g. 250 g, L, Merah)"), validators=[max_length(60)])
    price = StringField(
        _l("Price (Rp)"),
        validators=[DataRequired(_l("Enter the price.")), max_length(20), rupiah_above_zero],
    )
    stock = _number(_l("Stock"), 0, STOCK_MAX)
    weight_grams = _number(_l("Weight of one unit (g)"), 1, WEIGHT_MAX_GRAMS)
    sku = StringField(_l("SKU (leave empty to have one made)"), validators=[max_length(64)])
    remove = BooleanField(_l("Remove this variant"))

    def rupiah(self) -> int:
        return parse_rupiah(self.price.data)


class PhotoForm(Form):
    image_id = HiddenField()
    alt_text = StringField(_l("What the photo shows"), validators=[max_length(200)])
    position = _number(_l("Order"), 1, 9)
    remove = BooleanField(_l("Remove this photo"))


class ProductForm(FlaskForm):
    member_id = ChoiceField(_l("Member (maker)"), coerce=int, validate_choice=True)
    name = StringField(
        _l("Product name"), validators=[DataRequired(_l("Enter the name.")), max_length(NAME_MAX)]
    )
    category_id = ChoiceField(_l("Category"), coerce=int)
    description = TextAreaField(_l("Description"), validators=[max_length(DESCRIPTION_MAX)])
    pre_order_days = _number(_l("Pre-order days (0: ready stock)"), 0, 30, default=0)
    length_cm = _number(_l("Packed length (cm)"), 0, 300, required=False)
    width_cm = _number(_l("Packed width (cm)"), 0, 300, required=False)
    height_cm = _number(_l("Packed height (cm)"), 0, 300, required=False)
    pirt_number = StringField(_l("P-IRT number"), validators=[max_length(40)])
    pirt_expires_on = DateField(_l("P-IRT valid until"), validators=[Optional()], format="%Y-%m-%d")
    halal_number = StringField(_l("Halal certificate number"), validators=[max_length(60)])
    bpom_number = StringField(_l("BPOM number"), validators=[max_length(40)])
    permit_exemption = StringField(
        _l("No P-IRT or BPOM needed because"), validators=[max_length(200)]
    )
    variants = FieldList(FormField(VariantForm), min_entries=1, max_entries=30)
    photos = FieldList(FormField(PhotoForm), max_entries=9)
    new_photos = MultipleFileField(_l("Add photos (up to 9 in all; the first is the cover)"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for rejecting"),
        validators=[DataRequired(_l("Say why: the member reads it.")), max_length(REASON_MAX)],
    )


class QuickEditForm(FlaskForm):
    """One variant's price and stock, from the member's list."""

    price = StringField(
        _l("Price (Rp)"),
        validators=[DataRequired(_l("Enter the price.")), max_length(20), rupiah_above_zero],
    )
    stock = _number(_l("Stock"), 0, STOCK_MAX)
    stock_seen = HiddenField()

    def rupiah(self) -> int:
        return parse_rupiah(self.price.data)


class ImportForm(FlaskForm):
    catalog_file = FileField(
        _l("Catalog file (CSV or XLSX)"), validators=[FileRequired(_l("Choose the file."))]
    )
    photos_zip = FileField(_l('Photos (a ZIP of the files the "foto" column names; optional)'))
