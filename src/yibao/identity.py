"""Identity numbers and unified social credit codes: parsing and validation.

Pure Python, no Django: usable from services, imports, the API and tests alike.

**Resident identity number** (公民身份号码, GB 11643-1999): 18 characters —
6-digit region code (GB/T 2260), 8-digit birth date (YYYYMMDD), 3-digit sequence
(odd for men, even for women) and a check character (ISO 7064 MOD 11-2, "X" for 10).

What is checked: length, format, that the first two digits are a province-level code,
that the birth date is a real calendar day between 1900-01-01 and today (Asia/Shanghai),
and the check character.

What is deliberately *not* checked: whether the 6-digit region code existed in the holder's
birth year, or exists today. Region codes are kept for life: a person keeps the number
issued under a code that was later abolished, and numbers are issued under codes created
after the holder's birth (a county founded in 1990 issues numbers to people born in 1950).
Checking the region code against the birth year rejects valid numbers.

Accepted first two digits: the province-level codes of GB/T 2260 (11–15, 21–23, 31–37,
41–46, 50–54, 61–65, 71 台湾省, 81 香港, 82 澳门) and 83, which GB/T 2260 does not list but
which heads the numbers on residence permits issued to residents of Taiwan
(港澳台居民居住证 use 810000, 820000 and 830000). Numbers of the foreigners' permanent
residence identity card (外国人永久居留身份证, beginning with 9) are not resident identity
numbers and are refused.

**Unified social credit code** (统一社会信用代码, GB 32100-2015): 18 characters from
0–9 and the capital letters except I, O, Z, S and V —
1st registration authority (登记管理部门代码), 2nd organisation type (机构类别代码, which must
be one listed for that authority), 3rd–8th the registering authority's region code
(six digits), 9th–17th the subject identifier (主体标识码), 18th the check character.
The subject identifier's own check digit (GB 11714) is not verified: codes assigned to
individual businesses and other bodies do not all carry one.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass

# --- errors ------------------------------------------------------------------------------


class IdentityError(ValueError):
    """A malformed identity number or credit code.

    ``code`` is a short ASCII kind for programs (``empty``, ``length``, ``format``,
    ``region``, ``birth_date``, ``early_birth``, ``future_birth``, ``authority``,
    ``org_type``, ``check_char``); ``message`` is the Chinese text to show the user.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# China keeps one time zone with no daylight saving time, so a fixed offset is exact.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def _today() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()


_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def _normalise(value: object) -> str:
    """Drop all whitespace (incl. the ideographic space) and zero-width characters, and
    turn full-width ASCII (０-９, Ａ-Ｚ, ａ-ｚ) into half-width; then upper-case."""
    if value is None:
        return ""
    text = str(value)
    if text.isascii() and text.isalnum():  # the common case: nothing to drop or convert
        return text.upper()
    out = []
    for ch in text:
        if ch.isspace() or ch in _INVISIBLE:
            continue
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:  # full-width forms of ASCII "!" … "~"
            ch = chr(code - 0xFEE0)
        out.append(ch)
    return "".join(out).upper()


def _shown(ch: str) -> str:
    """A character quoted for a message, visible even when it is a control character."""
    return ch if ch.isprintable() else f"U+{ord(ch):04X}"


_ASCII_DIGITS = frozenset("0123456789")


# --- resident identity number (GB 11643-1999) --------------------------------------------

RESIDENT_ID_LENGTH = 18

# Weights W_i = 2^(18-i) mod 11 for positions i = 1..17 (ISO 7064 MOD 11-2), as a table.
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Check character by (sum of weighted digits) mod 11.
RESIDENT_ID_CHECK_CHARS = "10X98765432"

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)

# First two digits of the region code: GB/T 2260 province-level divisions, plus 83
# (residence permits of Taiwan residents). See the module docstring.
PROVINCE_CODES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省",
    "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
    "83": "台湾居民居住证",
}


@dataclass(frozen=True)
class ResidentId:
    """A valid resident identity number and what it says."""

    number: str  # normalised: 18 characters, upper-case X
    birth_date: dt.date
    sex: str  # "男" or "女"
    region_code: str  # first 6 digits, as issued (may be a code abolished since)


def resident_id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits ("0"–"9" or "X")."""
    if len(first17) != 17 or not set(first17) <= _ASCII_DIGITS:
        raise IdentityError("format", "计算校验码需要身份证号码的前17位数字")
    total = sum(map(operator.mul, map(int, first17), RESIDENT_ID_WEIGHTS))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def parse_resident_id(value: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate an 18-character resident identity number; raise :class:`IdentityError`.

    Spaces are ignored, full-width digits and a lower-case x are accepted. ``today``
    (default: the current date in China) bounds the birth date.
    """
    number = _normalise(value)
    if not number:
        raise IdentityError("empty", "请填写身份证号码")
    if len(number) != RESIDENT_ID_LENGTH:
        message = f"身份证号码应为18位，当前为{len(number)}位"
        if len(number) == 15 and set(number) <= _ASCII_DIGITS:
            message += "（15位旧号码已停止使用，请填写18位号码）"
        raise IdentityError("length", message)
    for position, ch in enumerate(number[:17] if not (number[:17].isascii() and number[:17].isdigit()) else "",
                                  start=1):
        if ch not in _ASCII_DIGITS:
            raise IdentityError("format", f"身份证号码前17位应为数字，第{position}位为“{_shown(ch)}”")
    last = number[17]
    if last not in _ASCII_DIGITS and last != "X":
        raise IdentityError("format", f"身份证号码第18位（校验码）应为数字或X，实际为“{_shown(last)}”")

    region_code = number[:6]
    if region_code[:2] not in PROVINCE_CODES:
        raise IdentityError("region", f"身份证号码前两位“{region_code[:2]}”不是有效的省级行政区划代码")

    digits = number[6:14]
    try:
        birth_date = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdentityError("birth_date", f"出生日期{digits}不是有效日期") from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise IdentityError("early_birth", f"出生日期{digits}早于1900年1月1日，不是有效的出生日期")
    today = today or _today()
    if birth_date > today:
        raise IdentityError(
            "future_birth",
            f"出生日期{digits}晚于今天（{today.year}年{today.month}月{today.day}日），不是有效的出生日期",
        )

    expected = resident_id_check_char(number[:17])
    if last != expected:
        raise IdentityError("check_char", f"身份证号码校验码应为{expected}，实际为{last}，请核对号码是否填写有误")

    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return ResidentId(number=number, birth_date=birth_date, sex=sex, region_code=region_code)


# --- unified social credit code (GB 32100-2015) ------------------------------------------

USCC_LENGTH = 18
# The 31 characters of the code, in the order of their values 0..30.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {ch: i for i, ch in enumerate(USCC_CHARSET)}
# Weights W_i = 3^(i-1) mod 31 for positions i = 1..17, as a table.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@dataclass(frozen=True)
class Authority:
    name: str
    org_types: dict[str, str]


# 登记管理部门代码 and, for each, its 机构类别代码 (GB 32100-2015 code table; A and N were
# assigned after the standard's 2015 publication). Y (其他) has one type only, "1".
USCC_AUTHORITIES: dict[str, Authority] = {
    "1": Authority("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": Authority("外交", {"1": "外国常住新闻机构", "9": "其他"}),
    "3": Authority("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                            "5": "仲裁委员会", "9": "其他"}),
    "4": Authority("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": Authority("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": Authority("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
                          "9": "其他"}),
    "7": Authority("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": Authority("工会", {"1": "基层工会", "9": "其他"}),
    "9": Authority("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": Authority("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": Authority("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织",
                          "9": "其他"}),
    "Y": Authority("其他", {"1": "其他"}),
}


@dataclass(frozen=True)
class CreditCode:
    """A valid unified social credit code and what its fixed parts say."""

    code: str  # normalised: 18 upper-case characters
    registration_authority: str  # e.g. "工商", "机构编制", "民政"
    org_type: str  # e.g. "企业", "事业单位", "社会团体"
    region_code: str  # the registering authority's region code (characters 3–8)

    @property
    def authority_code(self) -> str:
        return self.code[0]

    @property
    def org_type_code(self) -> str:
        return self.code[1]

    @property
    def subject_code(self) -> str:
        """主体标识码 (characters 9–17; the organisation code for bodies that have one)."""
        return self.code[8:17]


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    first17 = first17.upper()
    if len(first17) != 17 or any(ch not in _USCC_VALUES for ch in first17):
        raise IdentityError("format", "计算校验码需要统一社会信用代码的前17位有效字符")
    total = sum(_USCC_VALUES[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def _listing(options: dict[str, str]) -> str:
    return "、".join(f"{k} {v}" for k, v in options.items())


def parse_uscc(value: str) -> CreditCode:
    """Validate an 18-character unified social credit code; raise :class:`IdentityError`.

    Spaces are ignored; lower-case and full-width letters are accepted.
    """
    code = _normalise(value)
    if not code:
        raise IdentityError("empty", "请填写统一社会信用代码")
    if len(code) != USCC_LENGTH:
        raise IdentityError("length", f"统一社会信用代码应为18位，当前为{len(code)}位")
    for position, ch in enumerate(code, start=1):
        if ch not in _USCC_VALUES:
            raise IdentityError(
                "format",
                f"统一社会信用代码第{position}位“{_shown(ch)}”不是有效字符"
                "（只能使用数字和除I、O、Z、S、V以外的大写字母）",
            )
    authority = USCC_AUTHORITIES.get(code[0])
    if authority is None:
        raise IdentityError(
            "authority",
            f"统一社会信用代码第1位（登记管理部门代码）“{code[0]}”无效，应为 "
            + "、".join(f"{k} {a.name}" for k, a in USCC_AUTHORITIES.items()),
        )
    org_type = authority.org_types.get(code[1])
    if org_type is None:
        raise IdentityError(
            "org_type",
            f"统一社会信用代码第2位（机构类别代码）“{code[1]}”不适用于登记管理部门“{authority.name}”，"
            f"应为 {_listing(authority.org_types)}",
        )
    region_code = code[2:8]
    if not set(region_code) <= _ASCII_DIGITS:
        raise IdentityError(
            "region", f"统一社会信用代码第3–8位（登记管理机关行政区划码）应为6位数字，实际为“{region_code}”"
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise IdentityError(
            "check_char", f"统一社会信用代码校验码应为{expected}，实际为{code[17]}，请核对代码是否填写有误"
        )
    return CreditCode(code=code, registration_authority=authority.name, org_type=org_type, region_code=region_code)


# --- a fast path for files of millions of numbers, which only accepts ------------------------

# The weighted sum of the first 17 digits is cached in three parts: the region code (a few hundred
# values in a file), the birth date (some tens of thousands, with the date itself) and the sequence.
_REGION_SUMS: dict[str, int | None] = {}
_BIRTH_SUMS: dict[str, tuple[int, dt.date] | None] = {}
_SEQUENCE_SUMS = {f"{n:03d}": sum(int(d) * w for d, w in zip(f"{n:03d}", RESIDENT_ID_WEIGHTS[14:], strict=True))
                  for n in range(1000)}


def _region_sum(code: str) -> int | None:
    try:
        return _REGION_SUMS[code]
    except KeyError:
        value = sum(int(d) * w for d, w in zip(code, RESIDENT_ID_WEIGHTS[:6], strict=True)) \
            if code[:2] in PROVINCE_CODES else None
        _REGION_SUMS[code] = value
        return value


def _birth_sum(digits: str) -> tuple[int, dt.date] | None:
    try:
        return _BIRTH_SUMS[digits]
    except KeyError:
        try:
            day = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            day = None
        value = None
        if day is not None and day >= EARLIEST_BIRTH_DATE:
            value = (sum(int(d) * w for d, w in zip(digits, RESIDENT_ID_WEIGHTS[6:14], strict=True)), day)
        _BIRTH_SUMS[digits] = value
        return value


def fast_resident_id(value: str, today: dt.date) -> tuple[str, str, dt.date] | None:
    """(number, sex, birth date) of a plainly written valid number, or None: the caller then asks
    ``parse_resident_id``, which accepts what this does not (full-width digits,
    spaces) or says what is wrong. The same checks as ``parse_resident_id``: length, digits, the
    province, a real birth date from 1900 to today, the check character."""
    if len(value) != 18 or not value.isascii():
        return None
    first17 = value[:17]
    if not first17.isdigit():
        return None
    region = _region_sum(first17[:6])
    birth = _birth_sum(first17[6:14])
    if region is None or birth is None or birth[1] > today:
        return None
    last = value[17]
    if last == "x":
        last = "X"
    if RESIDENT_ID_CHECK_CHARS[(region + birth[0] + _SEQUENCE_SUMS[first17[14:]]) % 11] != last:
        return None
    return first17 + last, ("男" if first17[16] in "13579" else "女"), birth[1]


def mask_id_number(number: str) -> str:
    """An identity number as shown to roles that do not need it whole: the region code and the
    last four characters, e.g. 370705********1234."""
    number = number or ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


# --- contact phone numbers ---------------------------------------------------------------------

_MOBILE_DIGITS = 11
_PHONE_DROP = str.maketrans("", "", " \t\u3000()（）")


def normalise_phone(value: object) -> str:
    """A contact phone as entered on a form, normalised the way the resident registration does:
    blanks and brackets dropped, full-width digits made half-width, a leading +86/86 before a
    mobile number removed, dashes kept only in a landline (area code 0xx or 0xxx, then 7 or 8
    digits). Empty stays empty; anything else raises :class:`IdentityError` (code ``phone``)."""
    raw = "" if value is None else str(value).strip()
    text = "".join(chr(ord(ch) - 0xFEE0) if "０" <= ch <= "９" else ch for ch in raw)
    number = text.translate(_PHONE_DROP).replace("－", "-").replace("—", "-")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    if not number:
        return ""
    digits = number.replace("-", "")
    if digits.isascii() and digits.isdigit():
        if len(digits) == _MOBILE_DIGITS and digits[0] == "1" and digits[1] in "3456789":
            return digits
        area, dash, local = number.partition("-")
        if number.count("-") <= 1 and number[0] == "0":
            if dash and 3 <= len(area) <= 4 and 7 <= len(local) <= 8:
                return number
            if not dash and 10 <= len(digits) <= 12:
                return number
    raise IdentityError("phone", f"联系电话“{raw}”格式不正确：应为 11 位手机号码或带区号的固定电话。")
