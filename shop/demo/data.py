"""The demo data set: three cooperatives, their members and the product templates that
`seed.py` turns into about 330 products.

Plain constants, no database access, so the data can be read (and reviewed by someone who
knows the regions) without knowing the seeding code. Long because it is content, not logic.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from shop.checkout.shipping_settings import ShippingSettingsInput
from shop.coops.services import CoopDetails
from shop.demo.shipping_data import JEPARA_SHIPPING, MLIJO_SHIPPING, SUMBA_SHIPPING

DEMO_PASSWORD = "demo12345"
DEMO_EMAIL_DOMAIN = "pasar.test"


class DemoSignIn(NamedTuple):
    role: str
    email: str
    password: str


# Printed by `flask seed-demo`, quoted in the README and used by the tests.
DEMO_OPERATOR = DemoSignIn("Platform operator", "operator@pasar.test", DEMO_PASSWORD)
DEMO_ADMIN = DemoSignIn("Cooperative admin", "admin@pasar.test", DEMO_PASSWORD)
DEMO_MEMBER = DemoSignIn("Cooperative member", "anggota@pasar.test", DEMO_PASSWORD)
DEMO_SHOPPER = DemoSignIn("Shopper", "pembeli@pasar.test", DEMO_PASSWORD)
DEMO_PENGAWAS = DemoSignIn("Cooperative pengawas", "pengawas@pasar.test", DEMO_PASSWORD)
DEMO_SIGN_INS = (DEMO_OPERATOR, DEMO_ADMIN, DEMO_MEMBER, DEMO_PENGAWAS, DEMO_SHOPPER)

OPERATOR_NAME = "Rizky Pratama"
SHOPPER_NAME = "Putri Maharani"


class DemoMember(NamedTuple):
    name: str
    business_name: str
    specialties: tuple[str, ...]  # subcategory slugs this member makes
    story: str
    whatsapp: str
    bank_name: str
    bank_account_number: str  # digits only, the length each bank uses


@dataclass(frozen=True)
class DemoCoop:
    details: CoopDetails
    short: str  # in e-mail addresses and SKUs
    # Kemendagri region codes: PIRT numbers carry the regency, halal numbers the province.
    regency_code: str
    province_code: str
    plan: tuple[tuple[str, int], ...]  # (subcategory slug, number of products)
    members: tuple[DemoMember, ...]  # the first one is the cooperative's admin
    shipping: ShippingSettingsInput


class Permits(StrEnum):
    NONE = "none"
    PIRT = "pirt"
    PIRT_HALAL = "pirt_halal"
    BPOM_HALAL = "bpom_halal"


@dataclass(frozen=True)
class ProductTemplate:
    category: str  # subcategory slug
    bases: tuple[str, ...]
    varieties: tuple[str, ...]  # every base x variety is one product name
    options: tuple[tuple[str, int], ...]  # (variant label, price in % of the first one)
    price_range: tuple[int, int]  # whole Rupiah, for the first option
    weight_grams: int
    description: str
    permits: Permits = Permits.NONE
    coops: tuple[str, ...] = ()  # shorts of the cooperatives that sell it; () means all


# The tables below are laid out by hand, one member or template per block, for reading.
# fmt: off
MLIJO_MEMBERS = (
    DemoMember(
        "Sri Wahyuni", "Dapur Bu Sri", ("lauk-siap-saji", "bumbu-sambal"),
        "Ketua koperasi sejak 2019. Memasak gudeg dan bacem untuk warung tetangga sebelum "
        "mulai menjual lauk beku ke luar kota.",
        "+6281227450019", "BRI", "013401002345308",
    ),
    DemoMember(
        "Siti Nurjanah", "Keripik Mbak Siti", ("camilan",),
        "Mulai menggoreng keripik tempe sagu di dapur rumah tahun 2015 dengan resep ibunya. "
        "Kini dibantu tiga tetangga dan mengirim ke toko oleh-oleh di Malioboro.",
        "+6281328764410", "BCA", "4450219876",
    ),
    DemoMember(
        "Suparmi", "Sambal Mbok Parmi", ("bumbu-sambal", "lauk-siap-saji"),
        "Dulu berjualan sayur keliling dengan sepeda; sambal bawangnya yang dititipkan di "
        "gerobak justru paling dicari pelanggan.",
        "+6281229031177", "BRI", "013401019876501",
    ),
    DemoMember(
        "Endang Lestari", "Kue Endang", ("kue-roti",),
        "Membuat bakpia dan jajan pasar sejak SMA. Semua kue dipanggang dengan oven tangkring "
        "di dapur rumah di Ngaglik.",
        "+6281392214567", "Mandiri", "1370012345678",
    ),
    DemoMember(
        "Tri Handayani", "Roti Tri Rasa", ("kue-roti",),
        "Mantan karyawan toko roti yang membuka usaha sendiri setelah pandemi. Spesialis lapis "
        "legit dan brownies kukus pesanan.",
        "+6281215543098", "BNI", "0734521987",
    ),
    DemoMember(
        "Bambang Susilo", "Kopi Lereng Merapi", ("minuman",),
        "Petani kopi di Turi yang menyangrai sendiri hasil kebunnya dan kopi dari kawan-kawan "
        "petani di Gayo.",
        "+6281229876543", "BSI", "7123456789",
    ),
    DemoMember(
        "Wahyu Nugroho", "Wedang Pak Wahyu", ("minuman",),
        "Meracik wedang uwuh dan jahe merah instan dari rempah kebun sendiri, dikemas dalam "
        "sachet kertas.",
        "+6285743219876", "BRI", "013401033218509",
    ),
    DemoMember(
        "Rini Astuti", "Camilan Rini", ("camilan",),
        "Ibu dua anak yang menjual peyek dan rengginang lewat grup WhatsApp kampung, lalu "
        "bergabung dengan koperasi agar bisa menjual ke luar Jogja.",
        "+6281904455123", "BCA", "0379912345",
    ),
    DemoMember(
        "Dwi Purwanti", "Gudeg Kendil Bu Dwi", ("lauk-siap-saji",),
        "Generasi ketiga penjual gudeg di Kaliurang. Gudeg kendilnya dimasak semalaman di atas "
        "tungku kayu.",
        "+6281227789012", "Mandiri", "1370098765432",
    ),
    DemoMember(
        "Sugiyanto", "Gerabah Sugi Kasongan", ("gerabah-keramik",),
        "Perajin gerabah di Kasongan, Bantul, yang belajar memutar tanah liat dari ayahnya.",
        "+6281328001234", "BNI", "0812340097",
    ),
    DemoMember(
        "Ratna Kusumawati", "Batik Tulis Ratna", ("batik",),
        "Membatik tulis dengan pewarna sogan di Imogiri. Satu kain tulis halus bisa memakan "
        "waktu tiga minggu.",
        "+6281391234780", "BCA", "8465502211",
    ),
    DemoMember(
        "Yuli Rahmawati", "Jajan Yuli", ("kue-roti", "camilan"),
        "Membuat geplak, yangko dan wajik kletik untuk oleh-oleh, dengan gula kelapa dari "
        "Kulon Progo.",
        "+6285878123456", "BSI", "7234567801",
    ),
    DemoMember(
        "Agus Prasetyo", "Bumbu Pawon Agus", ("bumbu-sambal", "camilan"),
        "Mantan juru masak katering yang kini menjual bumbu instan dan emping melinjo.",
        "+6281226547890", "BRI", "013401045671502",
    ),
)

SUMBA_MEMBERS = (
    DemoMember(
        "Yuliana Kahi Ata", "Tenun Ina Yuliana", ("tenun-songket",),
        "Ketua koperasi dan penenun hinggi sejak umur dua belas tahun. Mengajak anak-anak "
        "muda kampung belajar pewarna alam.",
        "+6281339201145", "BRI", "046201000123506",
    ),
    DemoMember(
        "Martha Ndakularak", "Ikat Martha", ("tenun-songket", "aksesori"),
        "Menenun kain motif kuda dan mamuli; sisa benang dijadikan tas dan dompet kecil.",
        "+6281237765012", "BNI", "0467123450",
    ),
    DemoMember(
        "Margaretha Hana Njurumana", "Lau Pahikung Hana", ("tenun-songket",),
        "Ahli lau pahikung, sarung perempuan dengan teknik tenun sungkit yang rumit.",
        "+6285239876001", "BRI", "046201000456503",
    ),
    DemoMember(
        "Kristina Ndapa Lawa", "Kristina Tenun", ("tenun-songket", "busana-muslim"),
        "Menjahit tunik dan kerudung beraksen tenun untuk pelanggan di Kupang dan Surabaya.",
        "+6281337004521", "Mandiri", "1610004567891",
    ),
    DemoMember(
        "Agustina Rambu Kareri", "Rambu Kareri", ("tenun-songket", "aksesori"),
        "Penenun dari Prailiu yang juga membuat perhiasan mamuli dari kuningan.",
        "+6281246781234", "BRI", "046201000789505",
    ),
    DemoMember(
        "Yohana Tamu Ina", "Anyaman Mama Yohana", ("anyaman",),
        "Menganyam tikar, topi dan keranjang dari daun lontar yang dijemur sendiri.",
        "+6282145509876", "BNI", "0467987650",
    ),
    DemoMember(
        "Dorkas Lapu Hawu", "Lontar Dorkas", ("anyaman", "aksesori"),
        "Belajar menganyam dari neneknya; kini melatih dua puluh perempuan di Kambera.",
        "+6281353220987", "BRI", "046201001234507",
    ),
    DemoMember(
        "Elisabeth Konda Ndjuka", "Ikat Konda", ("tenun-songket",),
        "Menenun selendang dan syal yang lebih ringan untuk wisatawan yang datang ke Sumba.",
        "+6281339456780", "BCA", "3150987654",
    ),
    DemoMember(
        "Maria Anggu Rihi", "Kopi Mama Maria", ("minuman", "camilan"),
        "Mengolah kopi dari kebun keluarga di Lewa dan menyangrai kacang mete.",
        "+6281237098123", "BRI", "046201001567504",
    ),
    DemoMember(
        "Ester Hoi Lalu", "Madu Hutan Ester", ("minuman", "bumbu-sambal"),
        "Mengumpulkan madu hutan bersama para pemanjat pohon di Matawai La Pawu.",
        "+6282144320011", "BSI", "7345612098",
    ),
    DemoMember(
        "Ruth Wulang Ndena", "Dapur Ruth", ("camilan", "bumbu-sambal"),
        "Membuat sambal lu'at dan jagung titi untuk oleh-oleh di bandara Umbu Mehang Kunda.",
        "+6281339887766", "BNI", "0467456780",
    ),
    DemoMember(
        "Yakobus Umbu Remu", "Kopi Umbu", ("minuman",),
        "Satu-satunya anggota laki-laki; menyangrai kopi dari Bajawa dan Manggarai untuk "
        "kafe di Waingapu.",
        "+6281246550321", "Mandiri", "1610009876540",
    ),
    DemoMember(
        "Naomi Rambu Bangi", "Naomi Ikat", ("tenun-songket", "aksesori", "busana-muslim"),
        "Menenun sejak 1998 dan menjahit pouch serta ikat kepala dari sisa kain tenun.",
        "+6285253781290", "BRI", "046201001890509",
    ),
)

JEPARA_MEMBERS = (
    DemoMember(
        "Ahmad Fauzi", "Ukir Fauzi", ("ukiran-kayu",),
        "Ketua koperasi, pengukir relief sejak 1995. Menjual langsung agar perajin muda tidak "
        "bergantung pada tengkulak.",
        "+6281325670088", "BRI", "033001002345306",
    ),
    DemoMember(
        "Muhammad Sholikin", "Patung Sholikin", ("ukiran-kayu",),
        "Pematung kayu suar dan jati dari Mulyoharjo; karyanya pernah dipamerkan di Jakarta.",
        "+6281228345670", "BCA", "2460123987",
    ),
    DemoMember(
        "Nur Hidayat", "Jati Hidayat", ("ukiran-kayu", "dekorasi-rumah"),
        "Mengolah sisa kayu jati dari bengkel mebel menjadi kotak perhiasan dan bingkai foto.",
        "+6285640123987", "Mandiri", "1360011223344",
    ),
    DemoMember(
        "Slamet Riyadi", "Dekor Slamet", ("dekorasi-rumah",),
        "Membuat lampu hias, cermin dan jam dinding ukir untuk hotel dan vila di Bali.",
        "+6281390765432", "BRI", "033001005678901",
    ),
    DemoMember(
        "Siti Maesaroh", "Tenun Troso Maesaroh", ("tenun-songket",),
        "Penenun ikat Troso generasi kedua dengan empat alat tenun bukan mesin di rumah.",
        "+6281326549870", "BSI", "7456123098",
    ),
    DemoMember(
        "Umi Kulsum", "Busana Umi", ("busana-muslim",),
        "Penjahit gamis dan koko berbahan tenun Troso, menerima pesanan seragam pengajian.",
        "+6285727894561", "BSI", "7567234109",
    ),
    DemoMember(
        "Khoirul Anam", "Anam Woodcraft", ("dekorasi-rumah", "ukiran-kayu"),
        "Lulusan SMK ukir yang membuat miniatur perahu dan gamelan dari kayu jati.",
        "+6281225678123", "BNI", "0891234567",
    ),
    DemoMember(
        "Lilis Suryani", "Anyaman Lilis", ("anyaman",),
        "Menganyam pandan dan eceng gondok dari rawa sekitar Jepara menjadi tas dan keranjang.",
        "+6281327890456", "BRI", "033001008765403",
    ),
    DemoMember(
        "Sutrisno", "Gerabah Mayong Sutrisno", ("gerabah-keramik",),
        "Perajin gerabah Mayong yang membuat kendi, cobek dan pot bunga dari tanah liat sawah.",
        "+6281228904567", "BRI", "033001009876508",
    ),
    DemoMember(
        "Rohmah", "Oleh-oleh Bu Rohmah", ("camilan", "bumbu-sambal"),
        "Menjual kacang oven, kerupuk tengiri dan sambal terasi di kawasan Pantai Kartini.",
        "+6285641230987", "BNI", "0892345678",
    ),
    DemoMember(
        "Dewi Masitoh", "Monel Dewi", ("aksesori", "tenun-songket"),
        "Perajin perhiasan monel di Kriyan yang juga menjual selendang Troso.",
        "+6281326012345", "Mandiri", "1360055667788",
    ),
    DemoMember(
        "Joko Santoso", "Joko Art", ("dekorasi-rumah", "gerabah-keramik"),
        "Pelukis dan perajin yang mewarnai gerabah Mayong dengan motif ukiran Jepara.",
        "+6281390123456", "BCA", "2461098765",
    ),
    DemoMember(
        "Fitri Handayani", "Fitri Collection", ("busana-muslim", "aksesori"),
        "Membuat kerudung dan mukena bordir Jepara bersama lima penjahit di desanya.",
        "+6285712349876", "BRI", "033001001122507",
    ),
)

MLIJO_PLAN = (
    ("camilan", 24), ("lauk-siap-saji", 18), ("kue-roti", 18), ("minuman", 15),
    ("bumbu-sambal", 16), ("batik", 11), ("gerabah-keramik", 8),
)
SUMBA_PLAN = (
    ("tenun-songket", 42), ("aksesori", 18), ("busana-muslim", 6), ("minuman", 14),
    ("camilan", 8), ("bumbu-sambal", 6), ("anyaman", 16),
)
JEPARA_PLAN = (
    ("ukiran-kayu", 34), ("dekorasi-rumah", 24), ("anyaman", 8), ("gerabah-keramik", 8),
    ("tenun-songket", 12), ("busana-muslim", 8), ("aksesori", 6), ("camilan", 6),
    ("bumbu-sambal", 4),
)
# fmt: on

MLIJO = DemoCoop(
    details=CoopDetails(
        name="Koperasi Serba Usaha Mlijo Rukun Makmur",
        opening_hours="Senin–Sabtu 08.00–16.00",
        city="Kabupaten Sleman",
        province="DI Yogyakarta",
        registration_number="AHU-0004217.AH.01.26.TAHUN 2019",
        address="Jl. Kaliurang Km 9,5 No. 27, Sardonoharjo, Ngaglik, Sleman, DI Yogyakarta 55581",
        phone="+62274880123",
        whatsapp="+6281227450019",
        description=(
            "Koperasi para mlijo (pedagang sayur keliling) dan ibu-ibu pelaku usaha dapur "
            "rumahan di lereng Merapi. Anggota kami membuat camilan, lauk siap saji, kue, kopi "
            "dan sambal dari bahan pasar setempat; tetangga kami di Bantul menyumbang batik "
            "tulis dan gerabah Kasongan."
        ),
        fee_bp=250,
    ),
    short="mlijo",
    regency_code="3404",
    province_code="34",
    plan=MLIJO_PLAN,
    members=MLIJO_MEMBERS,
    shipping=MLIJO_SHIPPING,
)

SUMBA = DemoCoop(
    details=CoopDetails(
        name="Koperasi Wanita Tenun Ikat Kambera",
        opening_hours="Senin–Jumat 09.00–15.00",
        city="Kabupaten Sumba Timur",
        province="Nusa Tenggara Timur",
        registration_number="AHU-0001873.AH.01.26.TAHUN 2020",
        address="Jl. Prof. Dr. W. Z. Johannes No. 14, Kambera, Waingapu, Sumba Timur, NTT 87112",
        phone="+62387612345",
        whatsapp="+6281339201145",
        description=(
            "Koperasi perempuan penenun dari kampung-kampung di Sumba Timur. Setiap kain ikat "
            "dibuat dengan pewarna alam (akar mengkudu, nila, lumpur) dan dikerjakan berminggu-"
            "minggu hingga berbulan-bulan. Anggota juga menjual kopi, madu hutan dan anyaman "
            "lontar."
        ),
        fee_bp=500,
    ),
    short="sumba",
    regency_code="5302",
    province_code="53",
    plan=SUMBA_PLAN,
    members=SUMBA_MEMBERS,
    shipping=SUMBA_SHIPPING,
)

JEPARA = DemoCoop(
    details=CoopDetails(
        name="Koperasi Produsen Perajin Ukir Mulyoharjo",
        opening_hours="Senin–Sabtu 08.00–17.00",
        city="Kabupaten Jepara",
        province="Jawa Tengah",
        registration_number="AHU-0007654.AH.01.26.TAHUN 2018",
        address="Jl. Raya Mulyoharjo No. 45, Mulyoharjo, Jepara, Jawa Tengah 59431",
        phone="+62291591234",
        whatsapp="+6281325670088",
        description=(
            "Koperasi perajin ukir, patung dan dekorasi rumah dari sentra ukir Mulyoharjo dan "
            "Tahunan. Anggota juga menenun kain ikat Troso, membuat perhiasan monel dan "
            "oleh-oleh khas Jepara."
        ),
        fee_bp=1000,
    ),
    short="jepara",
    regency_code="3320",
    province_code="33",
    plan=JEPARA_PLAN,
    members=JEPARA_MEMBERS,
    shipping=JEPARA_SHIPPING,
)

DEMO_COOPS = (MLIJO, SUMBA, JEPARA)
# Each cooperative's pengawas (supervisory board), in the order of DEMO_COOPS: reads the
# books, sells nothing in the demo. The first is DEMO_PENGAWAS.
DEMO_PENGAWAS_NAMES = ("Bambang Sutrisno", "Maria Lende", "Slamet Riyadi")

WEIGHTS_SNACK = (("150 g", 100), ("300 g", 185), ("500 g", 290))
WEIGHTS_COFFEE = (("250 g", 100), ("500 g", 190), ("1 kg", 360))
SIZES = (("S", 100), ("M", 100), ("L", 105), ("XL", 110))
BOX_SIZES = (("Kecil", 100), ("Sedang", 145), ("Besar", 190))
NATURAL_DYES = (("Merah Mengkudu", 100), ("Biru Nila", 100), ("Cokelat Lumpur", 105))
FOOD_NOTE = " Tanpa pengawet; simpan di tempat sejuk dan kering."

# Each template: subcategory; bases; varieties; variant options; price range of the first
# option; weight in grams; description; permits; the cooperatives that sell it.
# fmt: off
PRODUCT_TEMPLATES = (
    # Kuliner
    ProductTemplate(
        "camilan",
        ("Keripik Tempe Sagu", "Keripik Singkong", "Keripik Pisang Kepok", "Peyek Kacang",
         "Rengginang", "Emping Melinjo", "Keripik Belut Godean"),
        ("Original", "Balado", "Pedas Daun Jeruk", "Bawang Putih"),
        WEIGHTS_SNACK, (12000, 28000), 170,
        "Camilan renyah yang digoreng dengan minyak baru setiap hari dan dikemas dalam standing "
        "pouch ber-zipper." + FOOD_NOTE,
        Permits.PIRT_HALAL, ("mlijo",),
    ),
    ProductTemplate(
        "camilan",
        ("Jagung Titi", "Kacang Mete Sumba", "Keripik Ubi Ungu"),
        ("Original", "Pedas", "Madu"),
        WEIGHTS_SNACK, (18000, 45000), 170,
        "Camilan khas Nusa Tenggara dari hasil kebun anggota, disangrai atau digoreng dalam "
        "jumlah kecil." + FOOD_NOTE,
        Permits.PIRT, ("sumba",),
    ),
    ProductTemplate(
        "camilan",
        ("Kacang Oven Jepara", "Kerupuk Ikan Tengiri", "Keripik Teri Nasi"),
        ("Original", "Pedas", "Bawang"),
        WEIGHTS_SNACK, (15000, 35000), 170,
        "Oleh-oleh khas pesisir Jepara dari ikan dan kacang pilihan." + FOOD_NOTE,
        Permits.PIRT_HALAL, ("jepara",),
    ),
    ProductTemplate(
        "lauk-siap-saji",
        ("Gudeg Kaleng", "Gudeg Kendil"),
        ("Ayam Kampung", "Telur & Krecek", "Komplit"),
        (("1 porsi", 100), ("Paket 3 porsi", 280)), (35000, 65000), 600,
        "Gudeg Jogja yang dimasak semalaman dengan daun jati, tahan lama tanpa pengawet "
        "berkat proses sterilisasi.",
        Permits.BPOM_HALAL, ("mlijo",),
    ),
    ProductTemplate(
        "lauk-siap-saji",
        ("Abon Sapi", "Abon Ayam", "Abon Lele"),
        ("Original", "Pedas", "Manis Gurih"),
        (("100 g", 100), ("250 g", 230)), (28000, 55000), 120,
        "Abon suwir halus yang disangrai lama dengan bumbu rempah, cocok untuk bekal." + FOOD_NOTE,
        Permits.PIRT_HALAL, ("mlijo",),
    ),
    ProductTemplate(
        "lauk-siap-saji",
        ("Bacem Tempe Tahu", "Mangut Lele", "Oseng Mercon", "Sayur Lodeh"),
        ("Beku", "Siap Santap"),
        (("1 pak", 100), ("2 pak", 195)), (20000, 45000), 450,
        "Lauk rumahan khas Jogja, dikemas vakum; panaskan sebentar dan siap disantap.",
        Permits.PIRT_HALAL, ("mlijo",),
    ),
    ProductTemplate(
        "kue-roti",
        ("Bakpia Pathok", "Bakpia Kukus"),
        ("Kacang Hijau", "Keju", "Cokelat", "Kumbu Hitam", "Ubi Ungu"),
        (("Isi 10", 100), ("Isi 20", 190)), (25000, 45000), 400,
        "Bakpia dipanggang setiap pagi, kulit lembut dengan isian melimpah. Tahan 5 hari.",
        Permits.PIRT_HALAL, ("mlijo",),
    ),
    ProductTemplate(
        "kue-roti",
        ("Geplak Bantul", "Yangko", "Wajik Kletik", "Lapis Legit", "Brownies Kukus"),
        ("Original", "Pandan", "Gula Aren"),
        (("1 kotak", 100), ("2 kotak", 195)), (20000, 95000), 350,
        "Kue tradisional dengan gula kelapa dan santan segar, dibuat sesuai pesanan." + FOOD_NOTE,
        Permits.PIRT_HALAL, ("mlijo",),
    ),
    ProductTemplate(
        "minuman",
        ("Kopi Arabika Merapi", "Kopi Robusta Merapi", "Kopi Arabika Gayo"),
        ("Biji Sangrai", "Bubuk Halus", "Bubuk Kasar"),
        WEIGHTS_COFFEE, (45000, 95000), 270,
        "Kopi petik merah yang disangrai tingkat medium, dikemas dengan katup satu arah agar "
        "aromanya terjaga.",
        Permits.PIRT_HALAL, ("mlijo",),
    ),
    ProductTemplate(
        "minuman",
        ("Wedang Uwuh", "Wedang Secang", "Jahe Merah Instan", "Beras Kencur"),
        ("Original", "Gula Aren"),
        (("Isi 5 sachet", 100), ("Isi 10 sachet", 190)), (15000, 30000), 150,
        "Minuman rempah hangat khas Jogja dari jahe, secang, cengkih dan kayu manis pilihan.",
        Permits.PIRT_HALAL, ("mlijo",),
    ),
    ProductTemplate(
        "minuman",
        ("Kopi Arabika Bajawa", "Kopi Robusta Manggarai", "Kopi Lewa Sumba"),
        ("Biji Sangrai", "Bubuk Halus", "Bubuk Kasar"),
        WEIGHTS_COFFEE, (50000, 110000), 270,
        "Kopi dari dataran tinggi Flores dan Sumba, diolah semi-washed oleh petani keluarga.",
        Permits.PIRT, ("sumba",),
    ),
    ProductTemplate(
        "minuman",
        ("Madu Hutan Sumba", "Madu Hutan Timor", "Teh Daun Kelor"),
        ("Murni", "Panen Kemarau"),
        (("250 ml", 100), ("500 ml", 185)), (45000, 120000), 400,
        "Dipanen dari hutan dan kebun di Sumba Timur, disaring tanpa dipanaskan.",
        Permits.PIRT, ("sumba",),
    ),
    ProductTemplate(
        "bumbu-sambal",
        ("Sambal Roa", "Sambal Bawang", "Sambal Teri", "Sambal Bajak", "Sambal Ijo",
         "Bumbu Pecel", "Bumbu Gudeg Instan", "Bumbu Rawon"),
        ("Original", "Extra Pedas"),
        (("Botol 150 g", 100), ("Botol 250 g", 160)), (22000, 45000), 250,
        "Dimasak dengan cabai dan bawang segar dari pasar, tanpa penyedap buatan." + FOOD_NOTE,
        Permits.PIRT_HALAL, ("mlijo",),
    ),
    ProductTemplate(
        "bumbu-sambal",
        ("Sambal Lu'at", "Bumbu Se'i", "Garam Lamba"),
        ("Original", "Extra Pedas"),
        (("Botol 150 g", 100), ("Botol 250 g", 160)), (25000, 50000), 250,
        "Bumbu khas Nusa Tenggara dengan daun kemangi, jeruk nipis dan cabai rawit lokal.",
        Permits.PIRT, ("sumba",),
    ),
    ProductTemplate(
        "bumbu-sambal",
        ("Sambal Terasi Jepara", "Petis Udang Jepara", "Terasi Udang Rebon"),
        ("Original", "Pedas"),
        (("Botol 150 g", 100), ("Botol 250 g", 160)), (20000, 40000), 250,
        "Dari udang rebon tangkapan nelayan pantai Jepara, dijemur dan diolah sendiri.",
        Permits.PIRT_HALAL, ("jepara",),
    ),
    # Fashion
    ProductTemplate(
        "batik",
        ("Batik Tulis", "Batik Cap"),
        ("Parang Rusak", "Kawung", "Truntum", "Sidomukti", "Sekar Jagad", "Ceplok Grompol"),
        (("Sogan", 100), ("Indigo", 100), ("Kombinasi", 110)), (175000, 1250000), 350,
        "Kain batik 2 m x 1,15 m berbahan katun primissima, dibatik oleh perajin di Imogiri dan "
        "diwarnai dengan pewarna sogan.",
        coops=("mlijo",),
    ),
    ProductTemplate(
        "batik",
        ("Kemeja Batik", "Blus Batik"),
        ("Parang", "Kawung", "Truntum"),
        SIZES, (185000, 375000), 300,
        "Dijahit rapi dari batik cap katun, nyaman dipakai ke kantor maupun kondangan.",
        coops=("mlijo",),
    ),
    ProductTemplate(
        "tenun-songket",
        ("Kain Tenun Ikat Sumba", "Hinggi Sumba Timur", "Lau Pahikung"),
        ("Motif Kuda", "Motif Andung", "Motif Udang", "Motif Mamuli", "Motif Ayam Jantan",
         "Motif Buaya", "Motif Patola Ratu", "Motif Rusa", "Motif Penyu"),
        NATURAL_DYES, (650000, 3500000), 700,
        "Ditenun tangan dengan benang katun pintal dan pewarna alam. Setiap kain unik; "
        "motifnya bercerita tentang adat dan alam Sumba.",
        coops=("sumba",),
    ),
    ProductTemplate(
        "tenun-songket",
        ("Selendang Tenun Sumba", "Syal Tenun Ikat", "Sarung Tenun Sumba", "Taplak Tenun Sumba"),
        ("Motif Kuda", "Motif Mamuli", "Motif Udang", "Motif Andung", "Motif Rusa"),
        NATURAL_DYES, (150000, 550000), 350,
        "Tenun ikat yang lebih ringan untuk dipakai sehari-hari atau sebagai hadiah.",
        coops=("sumba",),
    ),
    ProductTemplate(
        "tenun-songket",
        ("Kain Tenun Troso", "Sarung Tenun Troso", "Selendang Troso"),
        ("Motif Lurik", "Motif Sekar Jagad", "Motif Gunungan", "Motif Pucuk Rebung",
         "Motif Kembang Setaman"),
        (("Hijau Botol", 100), ("Marun", 100), ("Navy", 100)), (150000, 650000), 450,
        "Tenun ikat dari Desa Troso, Jepara, dikerjakan dengan alat tenun bukan mesin.",
        coops=("jepara",),
    ),
    ProductTemplate(
        "busana-muslim",
        ("Tunik Aksen Tenun Sumba", "Gamis Aksen Tenun Sumba", "Outer Tenun Sumba",
         "Kerudung Aksen Tenun Sumba"),
        ("Merah", "Biru"),
        SIZES, (175000, 450000), 350,
        "Busana santun dari katun toyobo dengan potongan kain tenun ikat di bagian depan.",
        coops=("sumba",),
    ),
    ProductTemplate(
        "busana-muslim",
        ("Gamis Troso", "Koko Tenun Troso", "Tunik Troso", "Mukena Bordir Jepara",
         "Kerudung Bordir Jepara"),
        ("Hijau Botol", "Marun", "Navy"),
        SIZES, (125000, 425000), 400,
        "Dijahit penjahit rumahan di Jepara dari kain tenun Troso dan katun rayon yang adem.",
        coops=("jepara",),
    ),
    ProductTemplate(
        "aksesori",
        ("Tas Selempang Tenun Sumba", "Dompet Tenun Sumba", "Pouch Tenun Sumba",
         "Ikat Kepala Tenun"),
        ("Motif Kuda", "Motif Udang", "Motif Mamuli", "Motif Andung"),
        (("Merah Mengkudu", 100), ("Biru Nila", 100)), (65000, 325000), 250,
        "Dijahit dari sisa kain tenun ikat asli, dilapisi kain katun dan ritsleting YKK.",
        coops=("sumba",),
    ),
    ProductTemplate(
        "aksesori",
        ("Kalung Mamuli", "Anting Mamuli", "Bros Mamuli"),
        ("Kuningan", "Lapis Perak"),
        (("Satu ukuran", 100),), (85000, 450000), 60,
        "Mamuli, perhiasan lambang kesuburan dalam adat Sumba, dicor dan dikikir tangan.",
        coops=("sumba",),
    ),
    ProductTemplate(
        "aksesori",
        ("Cincin Monel", "Gelang Monel", "Kalung Monel", "Gelang Kayu Sonokeling"),
        ("Polos", "Ukir Bunga"),
        (("Satu ukuran", 100), ("Ukuran khusus", 115)), (45000, 275000), 60,
        "Perhiasan dari sentra monel Kriyan dan kayu sisa bengkel ukir, tidak mudah berkarat.",
        coops=("jepara",),
    ),
    # Kerajinan
    ProductTemplate(
        "anyaman",
        ("Tas Anyaman Lontar", "Tikar Lontar", "Topi Anyaman Lontar", "Keranjang Lontar",
         "Kotak Sirih Lontar"),
        ("Natural", "Aksen Merah", "Aksen Hitam", "Motif Kotak"),
        BOX_SIZES, (45000, 350000), 500,
        "Dianyam tangan dari daun lontar yang dijemur dan diwarnai alami oleh mama-mama di "
        "Kambera.",
        coops=("sumba",),
    ),
    ProductTemplate(
        "anyaman",
        ("Tas Anyaman Pandan", "Keranjang Eceng Gondok", "Tempat Tisu Rotan", "Tudung Saji Bambu"),
        ("Natural", "Warna Cokelat", "Motif Zigzag"),
        BOX_SIZES, (35000, 250000), 450,
        "Anyaman pandan, eceng gondok dan rotan dari rawa dan kebun di sekitar Jepara.",
        coops=("jepara",),
    ),
    ProductTemplate(
        "gerabah-keramik",
        ("Gerabah Kasongan", "Vas Gerabah Kasongan", "Pot Gerabah Kasongan", "Celengan Gerabah"),
        ("Natural", "Cat Motif Batik", "Aksen Terakota"),
        BOX_SIZES, (35000, 450000), 2000,
        "Dibentuk di meja putar dan dibakar di tungku kayu di Kasongan, Bantul. Dikemas dengan "
        "kardus dan bubble wrap berlapis.",
        coops=("mlijo",),
    ),
    ProductTemplate(
        "gerabah-keramik",
        ("Gerabah Mayong", "Kendi Mayong", "Pot Bunga Mayong", "Cobek Tanah Liat Mayong"),
        ("Natural", "Cat Duco"),
        BOX_SIZES, (25000, 300000), 2500,
        "Gerabah dari tanah liat sawah Mayong, Jepara, dibakar dengan jerami dan sekam.",
        coops=("jepara",),
    ),
    ProductTemplate(
        "ukiran-kayu",
        ("Relief Ukir Jepara", "Panel Ukir Jati", "Hiasan Dinding Ukir"),
        ("Motif Macan Kurung", "Motif Daun Trubusan", "Motif Wayang", "Motif Kaligrafi",
         "Motif Bunga Teratai", "Motif Burung Merak"),
        (("40 x 60 cm", 100), ("60 x 90 cm", 175)), (350000, 2500000), 4000,
        "Diukir tangan dari kayu jati Perhutani bersertifikat, difinishing melamin doff.",
        coops=("jepara",),
    ),
    ProductTemplate(
        "ukiran-kayu",
        ("Patung Kayu Jati", "Patung Kayu Suar", "Patung Kayu Mahoni"),
        ("Loro Blonyo", "Ganesha Mini", "Penari Jawa", "Kuda Lumping", "Burung Hantu"),
        (("20 cm", 100), ("30 cm", 150), ("45 cm", 240)), (150000, 950000), 1500,
        "Patung pahatan tangan dari sentra patung Mulyoharjo, diamplas halus dan dipernis.",
        coops=("jepara",),
    ),
    ProductTemplate(
        "ukiran-kayu",
        ("Kotak Perhiasan Ukir", "Tempat Tisu Ukir", "Bingkai Foto Ukir"),
        ("Jati", "Sonokeling", "Mahoni"),
        BOX_SIZES, (75000, 325000), 800,
        "Dibuat dari potongan kayu sisa bengkel mebel, sehingga tidak ada kayu yang terbuang.",
        coops=("jepara",),
    ),
    ProductTemplate(
        "dekorasi-rumah",
        ("Lampu Hias Kayu Ukir", "Cermin Bingkai Ukir", "Jam Dinding Ukir", "Rak Dinding Jati",
         "Tatakan Gelas Jati"),
        ("Natural", "Finishing Salak Brown", "Finishing Putih Duco", "Motif Jepara Klasik"),
        BOX_SIZES, (65000, 1500000), 2500,
        "Dekorasi rumah bergaya Jepara klasik, dikemas kayu peti untuk pengiriman antarpulau.",
        coops=("jepara",),
    ),
    ProductTemplate(
        "dekorasi-rumah",
        ("Miniatur Perahu Pinisi", "Miniatur Becak", "Miniatur Gamelan"),
        ("Kayu Jati", "Kayu Mahoni"),
        (("30 cm", 100), ("50 cm", 180)), (125000, 750000), 1200,
        "Miniatur detail yang dirakit dan dicat tangan, dilengkapi kotak kaca akrilik.",
        coops=("jepara",),
    ),
)
# fmt: on
