"""The demo brand's fixed tables: stores, names, the product range, tenders. Data, no logic."""

from __future__ import annotations

from typing import NamedTuple

BRAND_NAME = "日常衣室 Daily Closet"
#: Reserved for documentation (RFC 2606), so no real mailbox or site ever gets demo traffic.
SHOP_HOST = "shop.dailycloset.example"
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


class StoreRow(NamedTuple):
    code: str
    name: str
    city: str
    address: str
    latitude: float
    longitude: float
    #: Relative foot traffic: how often the store is someone's home store or gets a walk-in.
    traffic: float


STORES: tuple[StoreRow, ...] = (
    StoreRow("TP01", "台北信義旗艦店", "台北市", "台北市信義區松高路19號1樓", 25.03943, 121.56701, 3.0),
    StoreRow("TP02", "台北忠孝東路店", "台北市", "台北市大安區忠孝東路四段181號", 25.04152, 121.55297, 2.2),
    StoreRow("TP03", "台北西門町店", "台北市", "台北市萬華區漢中街116號", 25.04298, 121.50754, 2.0),
    StoreRow("TP04", "台北南西店", "台北市", "台北市中山區南京西路12號", 25.05251, 121.52097, 1.8),
    StoreRow("TP05", "台北天母店", "台北市", "台北市士林區天母東路38號", 25.11748, 121.53102, 1.2),
    StoreRow("TP06", "台北內湖店", "台北市", "台北市內湖區成功路四段188號", 25.08296, 121.59301, 1.3),
    StoreRow("NT01", "板橋新站店", "新北市", "新北市板橋區新站路28號", 25.01381, 121.46497, 2.0),
    StoreRow("NT02", "中和環球店", "新北市", "新北市中和區中山路三段122號", 24.99612, 121.48389, 1.5),
    StoreRow("NT03", "新莊中華店", "新北市", "新北市新莊區中華路一段78號", 25.04402, 121.45005, 1.1),
    StoreRow("NT04", "三重重新店", "新北市", "新北市三重區重新路四段97號", 25.06198, 121.49012, 1.0),
    StoreRow("NT05", "新店北新店", "新北市", "新北市新店區北新路二段152號", 24.97498, 121.53999, 1.0),
    StoreRow("NT06", "林口三井店", "新北市", "新北市林口區文化三路一段356號", 25.07051, 121.36102, 1.2),
    StoreRow("KL01", "基隆仁愛店", "基隆市", "基隆市仁愛區仁一路230號", 25.12897, 121.74203, 0.7),
    StoreRow("TY01", "桃園站前店", "桃園市", "桃園市桃園區中正路47號", 24.99003, 121.31204, 1.3),
    StoreRow("TY02", "中壢中正店", "桃園市", "桃園市中壢區中正路211號", 24.95498, 121.22503, 1.1),
    StoreRow("HC01", "新竹巨城店", "新竹市", "新竹市東區中央路229號", 24.80998, 120.97502, 1.4),
    StoreRow("HC02", "竹北光明店", "新竹縣", "新竹縣竹北市光明六路東一段160號", 24.82703, 121.01297, 0.9),
    StoreRow("ML01", "苗栗中正店", "苗栗縣", "苗栗縣苗栗市中正路580號", 24.56498, 120.82004, 0.5),
    StoreRow("TC01", "台中新光店", "台中市", "台中市西屯區台灣大道三段301號", 24.16503, 120.64398, 2.0),
    StoreRow("TC02", "台中一中店", "台中市", "台中市北區一中街92號", 24.14902, 120.68597, 1.3),
    StoreRow("TC03", "台中逢甲店", "台中市", "台中市西屯區文華路100號", 24.17898, 120.64603, 1.2),
    StoreRow("CH01", "彰化中山店", "彰化縣", "彰化縣彰化市中山路二段338號", 24.07997, 120.54203, 0.7),
    StoreRow("YL01", "斗六中山店", "雲林縣", "雲林縣斗六市中山路127號", 23.71103, 120.54298, 0.5),
    StoreRow("CY01", "嘉義中山店", "嘉義市", "嘉義市西區中山路521號", 23.48002, 120.44497, 0.8),
    StoreRow("TN01", "台南西門店", "台南市", "台南市中西區西門路一段658號", 22.98903, 120.19803, 1.4),
    StoreRow("TN02", "台南南紡店", "台南市", "台南市東區中華東路一段366號", 22.99203, 120.23298, 1.2),
    StoreRow("KH01", "高雄巨蛋店", "高雄市", "高雄市左營區博愛二路777號", 22.66902, 120.30203, 1.6),
    StoreRow("KH02", "高雄新崛江店", "高雄市", "高雄市新興區五福二路62號", 22.62198, 120.30197, 1.2),
    StoreRow("KH03", "高雄夢時代店", "高雄市", "高雄市前鎮區中華五路789號", 22.59502, 120.30702, 1.3),
    StoreRow("PT01", "屏東中正店", "屏東縣", "屏東縣屏東市中正路71號", 22.67197, 120.48803, 0.5),
    StoreRow("IL01", "宜蘭民權店", "宜蘭縣", "宜蘭縣宜蘭市民權路二段38號", 24.75402, 121.75297, 0.6),
    StoreRow("HL01", "花蓮中山店", "花蓮縣", "花蓮縣花蓮市中山路318號", 23.97703, 121.60502, 0.5),
)

#: The collection sources the demo creates: (name, channel, what its Segment userId means).
SOURCES = (
    ("web", "web", "external"),
    ("app", "app", "member_id"),
    ("pos", "pos", "external"),
    ("line", "line", "line_uid"),
)

#: The most common surnames in Taiwan (Ministry of the Interior), with a share and a romanisation.
SURNAMES = (
    ("陳", "Chen", 11.1),
    ("林", "Lin", 8.3),
    ("黃", "Huang", 6.0),
    ("張", "Chang", 5.3),
    ("李", "Lee", 5.1),
    ("王", "Wang", 4.1),
    ("吳", "Wu", 4.0),
    ("劉", "Liu", 3.2),
    ("蔡", "Tsai", 2.9),
    ("楊", "Yang", 2.6),
    ("許", "Hsu", 2.3),
    ("鄭", "Cheng", 1.9),
    ("謝", "Hsieh", 1.8),
    ("洪", "Hung", 1.5),
    ("郭", "Kuo", 1.5),
    ("邱", "Chiu", 1.4),
    ("曾", "Tseng", 1.4),
    ("廖", "Liao", 1.3),
    ("賴", "Lai", 1.3),
    ("徐", "Hsu", 1.1),
    ("周", "Chou", 1.1),
    ("葉", "Yeh", 1.1),
    ("蘇", "Su", 1.1),
    ("莊", "Chuang", 0.9),
    ("呂", "Lu", 0.8),
    ("江", "Chiang", 0.8),
    ("何", "Ho", 0.8),
    ("蕭", "Hsiao", 0.7),
    ("羅", "Lo", 0.7),
    ("高", "Kao", 0.7),
)

FEMALE_NAMES = (
    ("雅婷", "yating"),
    ("怡君", "yichun"),
    ("雅雯", "yawen"),
    ("欣怡", "hsinyi"),
    ("佳穎", "chiaying"),
    ("宜庭", "yiting"),
    ("詩涵", "shihhan"),
    ("思妤", "szuyu"),
    ("佩珊", "peishan"),
    ("淑芬", "shufen"),
    ("美玲", "meiling"),
    ("家瑜", "chiayu"),
    ("筱涵", "hsiaohan"),
    ("品妍", "pinyen"),
    ("郁婷", "yuting"),
    ("宜蓁", "yichen"),
    ("婉婷", "wanting"),
    ("曉雯", "hsiaowen"),
    ("子晴", "tzuching"),
    ("雨萱", "yuhsuan"),
    ("詠晴", "yungching"),
    ("佳蓉", "chiajung"),
    ("韻如", "yunju"),
    ("惠雯", "huiwen"),
    ("亭妤", "tingyu"),
    ("語彤", "yutung"),
    ("小美", "hsiaomei"),
    ("靜宜", "chingyi"),
    ("文琪", "wenchi"),
    ("若涵", "johan"),
)

MALE_NAMES = (
    ("家豪", "chiahao"),
    ("志明", "chihming"),
    ("俊傑", "chunchieh"),
    ("建宏", "chienhung"),
    ("冠宇", "kuanyu"),
    ("承恩", "chengen"),
    ("柏翰", "pohan"),
    ("宇軒", "yuhsuan"),
    ("冠廷", "kuanting"),
    ("哲瑋", "chewei"),
    ("彥廷", "yenting"),
    ("宗翰", "tsunghan"),
    ("育誠", "yucheng"),
    ("信宏", "hsinhung"),
    ("偉倫", "weilun"),
    ("子豪", "tzuhao"),
    ("品睿", "pinjui"),
    ("柏宇", "poyu"),
    ("明哲", "mingche"),
    ("阿明", "aming"),
)


class Category(NamedTuple):
    code: str
    name: str
    adjectives: tuple[str, ...]
    bases: tuple[str, ...]
    price_range: tuple[int, int]
    #: "F" (women only), "M"/"F" lines, or "A" (accessories: one size, no gender line).
    lines: str
    share: float


CATEGORIES = (
    Category(
        "TS",
        "上衣/T恤",
        ("純棉", "有機棉", "涼感", "重磅", "美國棉", "速乾", "復古", "彈性"),
        ("圓領T恤", "寬版T恤", "短袖T恤", "長袖T恤", "條紋T恤", "印花T恤", "口袋T恤"),
        (390, 890),
        "MF",
        0.22,
    ),
    Category(
        "SH",
        "上衣/襯衫",
        ("亞麻", "棉麻", "法蘭絨", "丹寧", "抗皺", "天絲", "條紋"),
        ("落肩襯衫", "牛津襯衫", "格紋襯衫", "立領襯衫", "短袖襯衫", "開領襯衫"),
        (890, 1790),
        "MF",
        0.14,
    ),
    Category(
        "KN",
        "上衣/針織",
        ("羅紋", "羊毛混紡", "麻花", "喀什米爾混紡", "輕薄", "寬鬆"),
        ("針織上衣", "圓領毛衣", "開襟外套", "高領毛衣", "針織背心"),
        (990, 2490),
        "MF",
        0.1,
    ),
    Category(
        "OT",
        "外套",
        ("輕量", "機能", "刷毛", "抗UV", "保暖", "經典"),
        ("連帽外套", "防潑水外套", "牛仔外套", "西裝外套", "羽絨外套", "鋪棉背心", "風衣"),
        (1490, 4290),
        "MF",
        0.1,
    ),
    Category(
        "PT",
        "褲裝",
        ("九分", "彈性", "高腰", "亞麻", "涼感", "水洗"),
        ("寬褲", "直筒牛仔褲", "錐形褲", "休閒短褲", "西裝褲", "束口褲", "工裝褲"),
        (890, 1990),
        "MF",
        0.16,
    ),
    Category(
        "SK",
        "裙裝",
        ("雪紡", "緞面", "高腰", "亞麻", "印花"),
        ("百褶裙", "A字裙", "長裙", "牛仔裙", "開衩裙"),
        (790, 1690),
        "F",
        0.08,
    ),
    Category(
        "DR",
        "洋裝",
        ("碎花", "綁帶", "無袖", "亞麻", "方領", "V領"),
        ("洋裝", "襯衫洋裝", "針織洋裝", "背心洋裝"),
        (1290, 2690),
        "F",
        0.1,
    ),
    Category(
        "AC",
        "配件",
        ("帆布", "經典", "羊毛", "素色", "防潑水", "皮革"),
        ("托特包", "棒球帽", "皮帶", "圍巾", "襪子三入組", "漁夫帽", "後背包"),
        (290, 1490),
        "A",
        0.1,
    ),
)

SIZES = {"F": ("XS", "S", "M", "L", "XL"), "M": ("S", "M", "L", "XL", "XXL"), "A": ("F",)}
#: How often each size sells, relative to the others.
SIZE_WEIGHT = {"XS": 0.5, "S": 1.0, "M": 1.5, "L": 1.3, "XL": 0.7, "XXL": 0.35, "F": 1.0}
COLOURS = (
    ("WHT", "白色"),
    ("BLK", "黑色"),
    ("BEG", "米色"),
    ("GRY", "灰色"),
    ("NVY", "海軍藍"),
    ("KHA", "卡其"),
    ("OLV", "橄欖綠"),
    ("BUR", "酒紅"),
    ("LBL", "淺藍"),
    ("PNK", "粉紅"),
)

#: (tender, share) at the till and online. Points and coupons are added as partial payments.
POS_TENDERS = (
    ("credit_card", 40),
    ("cash", 22),
    ("line_pay", 13),
    ("jkopay", 7),
    ("easycard", 7),
    ("ipass", 3),
    ("px_pay", 3),
    ("gift_card", 2),
)
ONLINE_TENDERS = (("credit_card", 58), ("line_pay", 22), ("jkopay", 9), ("cash", 8), ("px_pay", 3))
#: Donation codes (愛心碼) of the kind printed at every Taiwanese till.
DONATION_CODES = ("919", "8585", "5299", "25885", "17930", "7000", "1993")

#: Sale periods: (first month-day, last month-day, discount %, channels it applies to).
SALES = (
    ((1, 2), (1, 31), 30, "pos,web,app,line"),
    ((5, 1), (5, 12), 15, "pos,web,app,line"),
    ((6, 1), (6, 20), 20, "pos,web,app,line"),
    ((7, 15), (8, 10), 30, "pos,web,app,line"),
    ((10, 15), (11, 5), 20, "pos,web,app,line"),
    ((11, 11), (11, 11), 25, "web,app,line"),
    ((11, 24), (11, 30), 20, "web,app,line"),
)

WEB_PAGES = (
    ("首頁", "/"),
    ("新品上市", "/c/new"),
    ("女裝", "/c/women"),
    ("男裝", "/c/men"),
    ("限時優惠", "/sale"),
    ("門市資訊", "/stores"),
)
APP_SCREENS = ("首頁", "新品上市", "分類", "會員中心", "優惠券")
