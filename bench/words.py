"""Word lists the generator combines into names of cooperatives, members and products, and
that bench/search.py draws search terms from. Product bases and varieties come from the
demo's templates (shop/demo/data.py); these add what the demo has too few of."""

# Appended to about half the names: what sellers on Indonesian marketplaces add.
QUALIFIERS = (
    "Premium", "Kemasan Hemat", "Oleh-oleh", "Asli", "Homemade", "Edisi Lebaran",
    "Spesial", "Tradisional", "Super", "Paket Keluarga", "Grade A", "Kualitas Ekspor",
    "Buatan Tangan", "Khas Desa", "Terlaris", "Baru", "Organik", "Mini",
)  # fmt: skip
REGIONS = (
    ("Yogyakarta", "DI Yogyakarta"), ("Sleman", "DI Yogyakarta"), ("Bantul", "DI Yogyakarta"),
    ("Jepara", "Jawa Tengah"), ("Solo", "Jawa Tengah"), ("Pekalongan", "Jawa Tengah"),
    ("Garut", "Jawa Barat"), ("Tasikmalaya", "Jawa Barat"), ("Bandung", "Jawa Barat"),
    ("Malang", "Jawa Timur"), ("Banyuwangi", "Jawa Timur"), ("Gianyar", "Bali"),
    ("Lombok Tengah", "Nusa Tenggara Barat"), ("Sumba Timur", "Nusa Tenggara Timur"),
    ("Padang", "Sumatera Barat"), ("Palembang", "Sumatera Selatan"), ("Medan", "Sumatera Utara"),
    ("Makassar", "Sulawesi Selatan"), ("Toraja Utara", "Sulawesi Selatan"),
    ("Banjarmasin", "Kalimantan Selatan"),
)  # fmt: skip
COOP_KINDS = (
    "Koperasi Produsen", "Koperasi Serba Usaha", "Koperasi UMKM", "Koperasi Wanita",
    "Koperasi Pemasaran",
)  # fmt: skip
COOP_NAMES = (
    "Maju Bersama", "Sejahtera", "Karya Mandiri", "Sumber Rejeki", "Mekar Sari",
    "Tunas Harapan", "Bina Usaha", "Rukun Makmur", "Citra Lestari", "Berkah Abadi",
)  # fmt: skip
FIRST_NAMES = (
    "Sri", "Siti", "Dewi", "Rini", "Yuli", "Agus", "Budi", "Eko", "Wahyu", "Putri", "Ani",
    "Rudi", "Made", "Ketut", "Nyoman", "Maria", "Yohanes", "Fitri", "Nur", "Dian", "Rizky",
    "Teguh", "Lestari", "Hendra", "Ayu", "Bambang", "Sari", "Joko", "Indah", "Andi",
)  # fmt: skip
LAST_NAMES = (
    "Wahyuni", "Nurjanah", "Astuti", "Rahmawati", "Prasetyo", "Santoso", "Saputra",
    "Hidayat", "Kusuma", "Wijaya", "Lestari", "Suryani", "Purnomo", "Setiawan", "Handayani",
    "Gunawan", "Pratama", "Utami", "Siregar", "Nasution",
)  # fmt: skip
BUSINESS_PREFIXES = ("Dapur", "Warung", "Griya", "Sanggar", "Rumah", "Toko", "Kriya", "Omah")
