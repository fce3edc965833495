"""The words for the RAT's stored codes, shared by its form, page and pack."""

from flask_babel import lazy_gettext as _l

from shop.rat.models import PaidShuTo

PAID_SHU_TO_LABELS = {
    PaidShuTo.AVAILABLE: _l("Members' available balance"),
    PaidShuTo.SUKARELA: _l("Members' simpanan sukarela"),
}
# The statutes' parts of the SHU, in SHU_PARTS's order.
SHU_PART_LABELS = {
    "reserve": _l("Reserve"),
    "jasa_anggota": _l("Jasa anggota"),
    "pengurus": _l("Pengurus"),
    "karyawan": _l("Karyawan"),
    "pendidikan": _l("Pendidikan"),
    "sosial": _l("Sosial"),
    "pembangunan_daerah_kerja": _l("Pembangunan daerah kerja"),
}
