"""Mongolian (traditional script) names for the demo's Chinese-named people and organisations.

Chinese personal names are written in Mongolian script syllable by syllable, as Inner
Mongolian newspapers do (习近平 → ᠰᠢ ᠵᠢᠨ ᠫᠢᠩ): each character's pinyin syllable becomes one
Mongolian word by the usual letter correspondences (zhi ᡁ, chi ᡂ, h ᠾ, e ᠧ...). Offices,
companies and associations are translated, not transliterated. Deterministic: no random
numbers are drawn here, so the demo's other choices stay as they were.
"""

PINYIN = {
    # surnames (demo_names.HAN_SURNAMES)
    "王": "wang",
    "李": "li",
    "张": "zhang",
    "刘": "liu",
    "陈": "chen",
    "杨": "yang",
    "赵": "zhao",
    "黄": "huang",
    "周": "zhou",
    "吴": "wu",
    "徐": "xu",
    "孙": "sun",
    "胡": "hu",
    "朱": "zhu",
    "高": "gao",
    "林": "lin",
    "何": "he",
    "郭": "guo",
    "马": "ma",
    "罗": "luo",
    "梁": "liang",
    "宋": "song",
    "郑": "zheng",
    "谢": "xie",
    "韩": "han",
    "唐": "tang",
    "冯": "feng",
    "于": "yu",
    "董": "dong",
    "萧": "xiao",
    "程": "cheng",
    "曹": "cao",
    "袁": "yuan",
    "邓": "deng",
    "许": "xu",
    "傅": "fu",
    "沈": "shen",
    "曾": "zeng",
    "彭": "peng",
    "吕": "lü",
    "苏": "su",
    "卢": "lu",
    "蒋": "jiang",
    "蔡": "cai",
    "贾": "jia",
    "丁": "ding",
    "魏": "wei",
    "薛": "xue",
    "叶": "ye",
    "阎": "yan",
    "余": "yu",
    "潘": "pan",
    "杜": "du",
    "戴": "dai",
    "夏": "xia",
    "钟": "zhong",
    "汪": "wang",
    "田": "tian",
    "任": "ren",
    "姜": "jiang",
    "范": "fan",
    "方": "fang",
    "石": "shi",
    "姚": "yao",
    "谭": "tan",
    "廖": "liao",
    "邹": "zou",
    "熊": "xiong",
    "金": "jin",
    "陆": "lu",
    "郝": "hao",
    "孔": "kong",
    "白": "bai",
    "崔": "cui",
    "康": "kang",
    "毛": "mao",
    "邱": "qiu",
    "秦": "qin",
    "江": "jiang",
    "史": "shi",
    "顾": "gu",
    "侯": "hou",
    "邵": "shao",
    "孟": "meng",
    "龙": "long",
    "万": "wan",
    "段": "duan",
    "雷": "lei",
    "钱": "qian",
    "汤": "tang",
    "尹": "yin",
    "黎": "li",
    "易": "yi",
    "常": "chang",
    "武": "wu",
    "乔": "qiao",
    "贺": "he",
    "赖": "lai",
    "龚": "gong",
    "文": "wen",
    # given-name characters (demo_names.HAN_GIVEN)
    "伟": "wei",
    "芳": "fang",
    "娜": "na",
    "敏": "min",
    "静": "jing",
    "丽": "li",
    "强": "qiang",
    "磊": "lei",
    "军": "jun",
    "洋": "yang",
    "勇": "yong",
    "艳": "yan",
    "杰": "jie",
    "娟": "juan",
    "涛": "tao",
    "明": "ming",
    "超": "chao",
    "秀": "xiu",
    "霞": "xia",
    "平": "ping",
    "刚": "gang",
    "桂": "gui",
    "英": "ying",
    "华": "hua",
    "玉": "yu",
    "兰": "lan",
    "萍": "ping",
    "红": "hong",
    "梅": "mei",
    "鹏": "peng",
    "飞": "fei",
    "建": "jian",
    "国": "guo",
    "志": "zhi",
    "宏": "hong",
    "海": "hai",
    "燕": "yan",
    "晓": "xiao",
    "东": "dong",
    "春": "chun",
    "生": "sheng",
    "斌": "bin",
    "亮": "liang",
    "瑞": "rui",
    "凤": "feng",
    "琴": "qin",
    "宇": "yu",
    "浩": "hao",
    # community names (demo_names.COMMUNITY_NAMES)
    "团": "tuan",
    "结": "jie",
    "民": "min",
    "主": "zhu",
    "新": "xin",
    "振": "zhen",
    "兴": "xing",
    "和": "he",
    "谐": "xie",
    "朝": "chao",
    "阳": "yang",
    "育": "yu",
    "才": "cai",
    "幸": "xing",
    "福": "fu",
    "广": "guang",
    "场": "chang",
    "泉": "quan",
    "光": "guang",
    "化": "hua",
}

INITIALS = [
    ("zh", "ᠵ"),
    ("ch", "ᠴ"),
    ("sh", "ᠱ"),
    ("b", "ᠪ"),
    ("p", "ᠫ"),
    ("m", "ᠮ"),
    ("f", "ᠹ"),
    ("d", "ᠳ"),
    ("t", "ᠲ"),
    ("n", "ᠨ"),
    ("l", "ᠯ"),
    ("g", "ᠭ"),
    ("k", "ᠺ"),
    ("h", "ᠾ"),
    ("j", "ᠵ"),
    ("q", "ᠴ"),
    ("x", "ᠱ"),
    ("r", "ᠷ"),
    ("z", "ᠽ"),
    ("c", "ᠼ"),
    ("s", "ᠰ"),
    ("y", "ᠶ"),
    ("w", "ᠸ"),
]
FINALS = {
    "a": "ᠠ",
    "o": "ᠣ",
    "e": "ᠧ",
    "i": "ᠢ",
    "u": "ᠦ",
    "ü": "ᠦ",
    "ai": "ᠠᠢ",
    "ei": "ᠧᠢ",
    "ao": "ᠣᠣ",
    "ou": "ᠧᠦ",
    "an": "ᠠᠨ",
    "en": "ᠧᠨ",
    "ang": "ᠠᠩ",
    "eng": "ᠧᠩ",
    "ong": "ᠦᠩ",
    "ia": "ᠢᠶᠠ",
    "ie": "ᠢᠶᠧ",
    "iao": "ᠢᠶᠣᠣ",
    "iu": "ᠢᠦ",
    "ian": "ᠢᠶᠠᠨ",
    "in": "ᠢᠨ",
    "iang": "ᠢᠶᠠᠩ",
    "ing": "ᠢᠩ",
    "iong": "ᠢᠦᠩ",
    "ua": "ᠤᠸᠠ",
    "uo": "ᠤᠸᠧ",
    "uai": "ᠤᠸᠠᠢ",
    "ui": "ᠦᠢ",
    "uan": "ᠤᠸᠠᠨ",
    "un": "ᠦᠨ",
    "uang": "ᠤᠸᠠᠩ",
    "ue": "ᠦᠸᠧ",
    "üe": "ᠦᠸᠧ",
    "ün": "ᠦᠨ",
    "üan": "ᠦᠸᠠᠨ",
}
WHOLE = {
    "zhi": "ᡁ",
    "chi": "ᡂ",
    "shi": "ᠱᠢ",
    "ri": "ᠷᠢ",
    "zi": "ᠽᠢ",
    "ci": "ᠼᠢ",
    "si": "ᠰᠢ",
    "yi": "ᠢ",
    "yin": "ᠢᠨ",
    "wu": "ᠦ",
    "yu": "ᠶᠦ",
    "yuan": "ᠶᠦᠸᠠᠨ",
    "yue": "ᠶᠦᠸᠧ",
    "yun": "ᠶᠦᠨ",
    "you": "ᠶᠣᠤ",
    "ying": "ᠶᠢᠩ",
    "yong": "ᠶᠦᠩ",
    "ye": "ᠶᠧ",
    "yao": "ᠶᠣᠣ",
    "er": "ᠧᠷ",
}


def syllable(pinyin):
    """One pinyin syllable (no tone) in Mongolian letters."""
    if pinyin in WHOLE:
        return WHOLE[pinyin]
    for initial, letter in INITIALS:
        if pinyin.startswith(initial):
            rest = pinyin[len(initial) :]
            if initial in ("j", "q", "x") and rest.startswith("u"):
                rest = "ü" + rest[1:]  # ju, qu, xu, juan...: the u is ü
            return letter + FINALS[rest]
    return FINALS[pinyin]


def transliterate(chinese):
    """A Chinese name, each character's syllable as one Mongolian word."""
    return " ".join(syllable(PINYIN[character]) for character in chinese)


COMMUNITY = "ᠬᠣᠷᠢᠶᠠᠯᠠᠩ"  # 社区
COMPANY = "ᠬᠢᠵᠠᠭᠠᠷᠲᠤ ᠺᠣᠮᠫᠠᠨᠢ"  # 有限公司
COOPERATIVE = "ᠬᠠᠮᠲᠤᠷᠠᠯ ᠨᠡᠢᠭᠡᠮᠯᠡᠯ"  # 合作社
BUREAU = "ᠲᠣᠪᠴᠢᠶ᠎ᠠ"  # 局

# Units under the banner's working committees, translated (the banner's name goes before them).
UNITS = {
    "旗委办公室": "ᠨᠠᠮ ᠤᠨ ᠬᠣᠷᠢᠶ᠎ᠠ ᠶᠢᠨ ᠠᠯᠪᠠᠨ ᠲᠠᠰᠤᠭ",
    "旗政府办公室": "ᠠᠷᠠᠳ ᠤᠨ ᠵᠠᠰᠠᠭ ᠤᠨ ᠠᠯᠪᠠᠨ ᠲᠠᠰᠤᠭ",
    "旗委组织部": "ᠨᠠᠮ ᠤᠨ ᠬᠣᠷᠢᠶ᠎ᠠ ᠶᠢᠨ ᠵᠣᠬᠢᠶᠠᠨ ᠪᠠᠢᠭᠤᠯᠬᠤ ᠶᠠᠪᠤᠳᠠᠯ",
    "旗委宣传部": "ᠨᠠᠮ ᠤᠨ ᠬᠣᠷᠢᠶ᠎ᠠ ᠶᠢᠨ ᠰᠤᠷᠲᠠᠯᠴᠢᠯᠠᠬᠤ ᠶᠠᠪᠤᠳᠠᠯ",
    "旗发展和改革委员会": "ᠬᠥᠭᠵᠢᠯ ᠰᠢᠨᠡᠳᠬᠡᠯ ᠦᠨ ᠬᠣᠷᠢᠶ᠎ᠠ",
    "旗教育局": "ᠰᠤᠷᠭᠠᠨ ᠬᠦᠮᠦᠵᠢᠯ ᠦᠨ " + BUREAU,
    "旗财政局": "ᠰᠠᠩᠬᠦᠦ ᠶᠢᠨ " + BUREAU,
    "旗农牧和科技局": "ᠲᠠᠷᠢᠶᠠᠯᠠᠩ ᠮᠠᠯ ᠠᠵᠤ ᠠᠬᠤᠢ ᠪᠠ ᠱᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ ᠤ " + BUREAU,
    "旗卫生健康委员会": "ᠡᠷᠡᠭᠦᠯ ᠠᠬᠤᠢ ᠶᠢᠨ ᠬᠣᠷᠢᠶ᠎ᠠ",
    "旗自然资源局": "ᠪᠠᠢᠭᠠᠯᠢ ᠶᠢᠨ ᠨᠥᠭᠡᠴᠡ ᠶᠢᠨ " + BUREAU,
    "旗交通运输局": "ᠵᠠᠮ ᠲᠡᠭᠡᠪᠦᠷᠢ ᠶᠢᠨ " + BUREAU,
    "旗水利局": "ᠤᠰᠤᠨ ᠠᠵᠤ ᠠᠬᠤᠢ ᠶᠢᠨ " + BUREAU,
    "旗民政局": "ᠢᠷᠭᠡᠨ ᠬᠡᠷᠡᠭ ᠦᠨ " + BUREAU,
    "旗人力资源和社会保障局": "ᠬᠦᠮᠦᠨ ᠨᠥᠭᠡᠴᠡ ᠪᠠ ᠨᠡᠶᠢᠭᠡᠮ ᠦᠨ ᠪᠠᠲᠤᠯᠠᠮᠵᠢ ᠶᠢᠨ " + BUREAU,
    "旗市场监督管理局": "ᠵᠠᠬ ᠵᠡᠭᠡᠯᠢ ᠶᠢᠨ ᠬᠢᠨᠠᠨ ᠬᠠᠮᠢᠶᠠᠷᠬᠤ " + BUREAU,
    "旗生态环境分局": "ᠡᠺᠣᠯᠣᠭᠢ ᠣᠷᠴᠢᠨ ᠲᠣᠭᠣᠷᠢᠨ ᠤ ᠰᠠᠯᠪᠤᠷᠢ " + BUREAU,
    "旗文化旅游体育局": "ᠰᠣᠶᠣᠯ ᠠᠶᠠᠯᠠᠯ ᠪᠡᠶᠡ ᠲᠠᠮᠢᠷ ᠤᠨ " + BUREAU,
    "旗应急管理局": "ᠶᠠᠭᠠᠷᠠᠯᠲᠠᠢ ᠬᠡᠷᠡᠭ ᠢ ᠵᠠᠬᠢᠷᠬᠤ " + BUREAU,
    "旗林业和草原局": "ᠣᠢ ᠮᠣᠳᠤ ᠪᠠ ᠡᠪᠡᠰᠦᠨ ᠰᠠᠯᠤᠭ᠎ᠠ ᠶᠢᠨ " + BUREAU,
    "旗司法局": "ᠱᠢᠭᠦᠬᠦ ᠶᠠᠪᠤᠳᠠᠯ ᠤᠨ " + BUREAU,
    "旗城市投资发展有限公司": "ᠬᠣᠲᠠ ᠶᠢᠨ ᠬᠥᠷᠥᠩᠭᠡ ᠣᠷᠣᠭᠤᠯᠬᠤ ᠬᠥᠭᠵᠢᠯ ᠦᠨ " + COMPANY,
    "旗供水有限责任公司": "ᠤᠰᠤ ᠬᠠᠩᠭᠠᠬᠤ " + COMPANY,
    "旗农牧业发展投资有限公司": "ᠲᠠᠷᠢᠶᠠᠯᠠᠩ ᠮᠠᠯ ᠠᠵᠤ ᠠᠬᠤᠢ ᠶᠢᠨ ᠬᠥᠭᠵᠢᠯ ᠦᠨ ᠬᠥᠷᠥᠩᠭᠡ ᠣᠷᠣᠭᠤᠯᠬᠤ " + COMPANY,
    "旗热力有限公司": "ᠳᠤᠯᠠᠭᠠᠴᠠ ᠶᠢᠨ " + COMPANY,
    "旗交通投资有限公司": "ᠵᠠᠮ ᠲᠡᠭᠡᠪᠦᠷᠢ ᠶᠢᠨ ᠬᠥᠷᠥᠩᠭᠡ ᠣᠷᠣᠭᠤᠯᠬᠤ " + COMPANY,
    "旗文化旅游开发有限公司": "ᠰᠣᠶᠣᠯ ᠠᠶᠠᠯᠠᠯ ᠤᠨ ᠨᠡᠭᠡᠭᠡᠨ ᠬᠥᠭᠵᠢᠭᠦᠯᠬᠦ " + COMPANY,
    "好联丰专业合作社": "ᠾᠣᠣ ᠯᠢᠶᠠᠨ ᠹᠧᠩ ᠮᠡᠷᠭᠡᠵᠢᠯ ᠦᠨ " + COOPERATIVE,
    "草原牧歌乳业有限公司": "ᠲᠠᠯ᠎ᠠ ᠶᠢᠨ ᠮᠠᠯᠴᠢᠨ ᠳᠠᠭᠤᠤ ᠰᠦᠨ ᠦ ᠦᠢᠯᠡᠳᠪᠦᠷᠢ ᠶᠢᠨ " + COMPANY,
    "金草原肉业有限公司": "ᠠᠯᠲᠠᠨ ᠲᠠᠯ᠎ᠠ ᠮᠢᠬᠠᠨ ᠤ ᠦᠢᠯᠡᠳᠪᠦᠷᠢ ᠶᠢᠨ " + COMPANY,
    "绿源光伏科技有限公司": "ᠨᠣᠭᠤᠭᠠᠨ ᠡᠬᠢ ᠨᠠᠷᠠᠨ ᠴᠠᠬᠢᠯᠭᠠᠨ ᠤ ᠲᠧᠬᠨᠢᠭ ᠦᠨ " + COMPANY,
    "乌拉特羊绒制品有限公司": "ᠤᠷᠠᠳ ᠶᠠᠮᠠᠭᠠᠨ ᠨᠣᠭᠤᠯᠠᠷ ᠤᠨ ᠡᠳ ᠦᠨ " + COMPANY,
    "黄河湾物流有限公司": "ᠬᠠᠲᠤᠨ ᠭᠣᠣᠯ ᠤᠨ ᠲᠣᠬᠣᠢ ᠪᠠᠷᠠᠭ᠎ᠠ ᠲᠡᠭᠡᠪᠦᠷᠢ ᠶᠢᠨ " + COMPANY,
    "瀚海矿业有限公司": "ᠾᠠᠨ ᠾᠠᠢ ᠠᠭᠤᠷᠬᠠᠢ ᠶᠢᠨ " + COMPANY,
    "丰泰农机专业合作社": "ᠹᠧᠩ ᠲᠠᠢ ᠲᠠᠷᠢᠶᠠᠯᠠᠩ ᠤᠨ ᠮᠠᠰᠢᠨ ᠤ ᠮᠡᠷᠭᠡᠵᠢᠯ ᠦᠨ " + COOPERATIVE,
    "蒙源有机农业有限公司": "ᠮᠧᠩ ᠶᠦᠸᠠᠨ ᠣᠷᠭᠠᠨᠢᠭ ᠲᠠᠷᠢᠶᠠᠯᠠᠩ ᠤᠨ " + COMPANY,
    "聚鑫建材有限公司": "ᠵᠦ ᠰᠢᠨ ᠪᠠᠷᠢᠯᠭ᠎ᠠ ᠶᠢᠨ ᠮᠠᠲᠧᠷᠢᠶᠠᠯ ᠤᠨ " + COMPANY,
    "塞外红枸杞合作社": "ᠰᠠᠢ ᠸᠠᠢ ᠾᠦᠩ ᠨᠢᠭᠤᠯᠠᠰᠤᠨ ᠤ " + COOPERATIVE,
    "北方风电运维有限公司": "ᠤᠮᠠᠷᠠᠳᠤ ᠵᠦᠭ ᠦᠨ ᠰᠠᠯᠬᠢᠨ ᠴᠠᠬᠢᠯᠭᠠᠨ ᠤ ᠠᠰᠠᠷᠠᠯᠲᠠ ᠶᠢᠨ " + COMPANY,
    "居家养老服务中心": "ᠭᠡᠷ ᠲᠦ ᠥᠲᠡᠯᠡᠭᠰᠡᠳ ᠢ ᠠᠰᠠᠷᠠᠬᠤ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡᠨ ᠦ ᠲᠥᠪ",
    "旗个体劳动者协会": "ᠬᠤᠪᠢ ᠬᠥᠳᠡᠯᠮᠦᠷᠢᠴᠢᠳ ᠦᠨ ᠨᠡᠢᠭᠡᠮᠯᠡᠯ",
    "旗律师协会": "ᠬᠠᠤᠯᠢᠴᠢᠳ ᠤᠨ ᠨᠡᠢᠭᠡᠮᠯᠡᠯ",
    "旗慈善总会": "ᠡᠨᠡᠷᠢᠯ ᠦᠨ ᠶᠡᠷᠦᠩᠬᠡᠢ ᠨᠡᠢᠭᠡᠮᠯᠡᠯ",
    "旗志愿者协会": "ᠰᠠᠶᠢᠨ ᠳᠤᠷᠠᠴᠤᠳ ᠤᠨ ᠨᠡᠢᠭᠡᠮᠯᠡᠯ",
}

# The banner's working committees (党委/工委) that the units above belong to.
GROUPS = {
    "旗直机关工委": "ᠬᠣᠰᠢᠭᠤᠨ ᠤ ᠱᠤᠳᠤ ᠬᠠᠷᠢᠶᠠᠲᠤ ᠠᠯᠪᠠᠨ ᠪᠠᠢᠭᠤᠯᠤᠯᠭ᠎ᠠ ᠶᠢᠨ ᠨᠠᠮ ᠤᠨ ᠠᠵᠢᠯ ᠤᠨ ᠬᠣᠷᠢᠶ᠎ᠠ",
    "旗国资委党委": "ᠬᠣᠰᠢᠭᠤᠨ ᠤ ᠤᠯᠤᠰ ᠤᠨ ᠬᠥᠷᠥᠩᠭᠡ ᠶᠢᠨ ᠬᠣᠷᠢᠶ᠎ᠠ ᠶᠢᠨ ᠨᠠᠮ ᠤᠨ ᠬᠣᠷᠢᠶ᠎ᠠ",
    "非公有制经济组织党委": "ᠲᠥᠷᠦ ᠶᠢᠨ ᠪᠤᠰᠤ ᠡᠳ ᠦᠨ ᠵᠠᠰᠠᠭ ᠤᠨ ᠪᠠᠢᠭᠤᠯᠤᠯᠭ᠎ᠠ ᠶᠢᠨ ᠨᠠᠮ ᠤᠨ ᠬᠣᠷᠢᠶ᠎ᠠ",
    "社会组织党委": "ᠨᠡᠶᠢᠭᠡᠮ ᠦᠨ ᠪᠠᠢᠭᠤᠯᠤᠯᠭ᠎ᠠ ᠶᠢᠨ ᠨᠠᠮ ᠤᠨ ᠬᠣᠷᠢᠶ᠎ᠠ",
}


def person(name_zh):
    """The Mongolian-script form of a Han Chinese name (surname and given name syllable by syllable)."""
    return transliterate(name_zh)


def community(name_zh):
    """团结 → ᠲᠤᠸᠠᠨ ᠵᠢᠶᠧ ᠬᠣᠷᠢᠶᠠᠯᠠᠩ (the name transliterated, 社区 translated)."""
    return f"{transliterate(name_zh)} {COMMUNITY}"


def _of_banner(banner_mn):
    """The banner's name in the genitive: ᠤᠷᠠᠳ ᠳᠤᠮᠳᠠᠳᠤ ᠬᠣᠰᠢᠭᠤ → ᠤᠷᠠᠳ ᠳᠤᠮᠳᠠᠳᠤ ᠬᠣᠰᠢᠭᠤᠨ ᠤ."""
    if banner_mn.endswith("ᠬᠣᠰᠢᠭᠤ"):
        return banner_mn + "ᠨ ᠤ"
    return banner_mn + " ᠶᠢᠨ"


def unit(name_zh, banner_mn):
    """A banner-level unit: 旗教育局 → «banner's» «education bureau»; an enterprise by its own name."""
    translated = UNITS[name_zh]
    return f"{_of_banner(banner_mn)} {translated}" if name_zh.startswith("旗") else translated


def group(name_zh, banner_mn):
    """A working committee; the banner's own ones carry the banner's name."""
    translated = GROUPS[name_zh]
    if translated.startswith("ᠬᠣᠰᠢᠭᠤᠨ ᠤ "):
        return f"{_of_banner(banner_mn)} {translated[len('ᠬᠣᠰᠢᠭᠤᠨ ᠤ ') :]}"
    return translated
