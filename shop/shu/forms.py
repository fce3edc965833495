"""The SHU settings, the year's SHU to preview and its confirmation, as an admin types them."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired

from shop.forms_common import ChoiceField, max_length, percentage
from shop.payouts.forms import rupiah_above_zero
from shop.shu.models import ShuDestination

PART_LABELS = {
    "reserve": _l("Reserve (cadangan)"),
    "jasa_anggota": _l("Jasa anggota (the members' part)"),
    "pengurus": _l("Pengurus"),
    "karyawan": _l("Karyawan (staff)"),
    "pendidikan": _l("Pendidikan (education)"),
    "sosial": _l("Sosial"),
    "pembangunan_daerah_kerja": _l("Pembangunan daerah kerja"),
}
DESTINATION_LABELS = {
    ShuDestination.AVAILABLE: _l("Each member's available balance (they can ask for a payout)"),
    ShuDestination.SUKARELA: _l("Each member's simpanan sukarela"),
}


def _percent_field(label) -> StringField:
    return StringField(label, validators=[InputRequired(message=_l("Enter a percentage.")),
                                          max_length(10), percentage])  # fmt: skip


class ShuSettingsForm(FlaskForm):
    reserve = _percent_field(PART_LABELS["reserve"])
    jasa_anggota = _percent_field(PART_LABELS["jasa_anggota"])
    pengurus = _percent_field(PART_LABELS["pengurus"])
    karyawan = _percent_field(PART_LABELS["karyawan"])
    pendidikan = _percent_field(PART_LABELS["pendidikan"])
    sosial = _percent_field(PART_LABELS["sosial"])
    pembangunan_daerah_kerja = _percent_field(PART_LABELS["pembangunan_daerah_kerja"])
    jasa_usaha = _percent_field(_l("Of jasa anggota, the part shared by jasa usaha (%)"))
    counts_purchases = BooleanField(
        _l("Members' purchases from the cooperative count in jasa usaha")
    )


class ShuAmountForm(FlaskForm):
    """The preview's amount: a GET form, so it writes nothing and needs no token."""

    class Meta:
        csrf = False

    amount = StringField(
        _l("The year's SHU to share (Rp)"),
        validators=[DataRequired(message=_l("Enter the SHU to share.")), max_length(30),
                    rupiah_above_zero],
    )  # fmt: skip


class ShuConfirmForm(FlaskForm):
    amount = HiddenField(validators=[DataRequired(), max_length(30), rupiah_above_zero])
    token = HiddenField(validators=[DataRequired(), max_length(40)])
    destination = ChoiceField(
        _l("Where the members' shares go, as the RAT decided"),
        choices=[SelectChoice(value, label) for value, label in DESTINATION_LABELS.items()],
    )
