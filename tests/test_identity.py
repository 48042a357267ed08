"""Resident identity numbers and unified social credit codes (no database needed).

The property tests compare the module with an independent implementation of both check
characters written here in a different way: the module uses weight tables, these compute
the weights arithmetically.
"""

import datetime as dt
import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from yibao.identity import (
    PROVINCE_CODES,
    USCC_AUTHORITIES,
    IdentityError,
    parse_resident_id,
    parse_uscc,
    resident_id_check_char,
    uscc_check_char,
)

TODAY = dt.date(2024, 1, 15)


# --- independent reference implementations ----------------------------------------------


def reference_resident_check(first17: str) -> str:
    """ISO 7064 MOD 11-2: weights 2^(17-i) mod 11; the check value c makes sum + c ≡ 1 (mod 11)."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    c = (12 - total % 11) % 11
    return "X" if c == 10 else str(c)


REFERENCE_USCC_CHARS = string.digits + "".join(c for c in string.ascii_uppercase if c not in "IOSVZ")


def reference_uscc_check(first17: str) -> str:
    """GB 32100-2015: weights 3^(i-1) mod 31, check = 31 - (sum mod 31), and 31 becomes 0."""
    total = 0
    for i, ch in enumerate(first17):
        total += REFERENCE_USCC_CHARS.index(ch) * (3**i % 31)
    c = 31 - total % 31
    if c == 31:
        c = 0
    return REFERENCE_USCC_CHARS[c]


def with_check(first17: str) -> str:
    return first17 + reference_resident_check(first17)


def uscc_with_check(first17: str) -> str:
    return first17 + reference_uscc_check(first17)


def error_of(func, value, **kwargs) -> IdentityError:
    with pytest.raises(IdentityError) as info:
        func(value, **kwargs)
    return info.value


# --- resident identity number: examples -------------------------------------------------


def test_known_valid_number():
    r = parse_resident_id("11010519491231002X")
    assert r.number == "11010519491231002X"
    assert r.birth_date == dt.date(1949, 12, 31)
    assert r.sex == "女"
    assert r.region_code == "110105"


def test_sex_comes_from_the_seventeenth_digit():
    assert parse_resident_id(with_check("37070519800101123")).sex == "男"
    assert parse_resident_id(with_check("37070519800101122")).sex == "女"


@pytest.mark.parametrize("written", [
    "11010519491231002x",
    " 110105 19491231 002X ",
    "１１０１０５１９４９１２３１００２Ｘ",
    "１１０１０５１９４９１２３１００２ｘ",
    "110105\u300019491231\t002X",
])
def test_number_is_normalised(written):
    assert parse_resident_id(written).number == "11010519491231002X"


def test_error_is_a_value_error_whose_text_is_the_message():
    err = error_of(parse_resident_id, "11010519491231002")
    assert isinstance(err, ValueError)
    assert str(err) == err.message
    assert err.code.isascii()


def test_empty():
    assert error_of(parse_resident_id, "  ").code == "empty"
    assert error_of(parse_resident_id, "").message == "请填写身份证号码"


def test_too_short():
    err = error_of(parse_resident_id, "11010519491231002")
    assert (err.code, err.message) == ("length", "身份证号码应为18位，当前为17位")


def test_too_long():
    err = error_of(parse_resident_id, "11010519491231002X1")
    assert (err.code, err.message) == ("length", "身份证号码应为18位，当前为19位")


def test_old_fifteen_digit_number_is_explained():
    err = error_of(parse_resident_id, "110105491231002")
    assert err.code == "length"
    assert "15位旧号码已停止使用" in err.message


def test_letter_among_the_first_seventeen():
    err = error_of(parse_resident_id, "1101051949123A002X")
    assert (err.code, err.message) == ("format", "身份证号码前17位应为数字，第14位为“A”")


def test_letter_other_than_x_as_check_character():
    err = error_of(parse_resident_id, "11010519491231002Y")
    assert (err.code, err.message) == ("format", "身份证号码第18位（校验码）应为数字或X，实际为“Y”")


def test_non_ascii_digits_are_not_digits():
    # Arabic-Indic digit one: a digit to str.isdigit, but not to an identity number.
    err = error_of(parse_resident_id, "\u06611010519491231002X"[:18])
    assert err.code == "format"


def test_unknown_province():
    err = error_of(parse_resident_id, with_check("99010519491231002"))
    assert (err.code, err.message) == ("region", "身份证号码前两位“99”不是有效的省级行政区划代码")


def test_foreigners_permanent_residence_card_number_is_not_a_resident_number():
    assert error_of(parse_resident_id, with_check("93715619800101002")).code == "region"


@pytest.mark.parametrize("first17", [
    "81000019800101002",  # Hong Kong residents' residence permit
    "82000019800101002",  # Macao
    "83000019800101002",  # Taiwan residents' residence permit: not in GB/T 2260, still valid
])
def test_residence_permit_numbers_are_accepted(first17):
    assert parse_resident_id(with_check(first17)).region_code == first17[:6]


def test_invalid_calendar_day():
    err = error_of(parse_resident_id, with_check("11010519491232002"))
    assert (err.code, err.message) == ("birth_date", "出生日期19491232不是有效日期")


@pytest.mark.parametrize("birth", ["19490229", "19491301", "19490000", "20230229"])
def test_invalid_dates(birth):
    assert error_of(parse_resident_id, with_check("110105" + birth + "002")).code == "birth_date"


def test_leap_day_is_a_real_date():
    assert parse_resident_id(with_check("11010520000229002")).birth_date == dt.date(2000, 2, 29)


def test_born_before_1900():
    err = error_of(parse_resident_id, with_check("11010518991231002"))
    assert err.code == "early_birth"
    assert "18991231" in err.message
    assert parse_resident_id(with_check("11010519000101002")).birth_date == dt.date(1900, 1, 1)


def test_born_in_the_future():
    err = error_of(parse_resident_id, with_check("11010520240116002"), today=TODAY)
    assert (err.code, err.message) == (
        "future_birth", "出生日期20240116晚于今天（2024年1月15日），不是有效的出生日期")
    assert parse_resident_id(with_check("11010520240115002"), today=TODAY).birth_date == TODAY


def test_future_is_judged_against_the_real_date_by_default():
    next_year = dt.date.today().year + 2
    assert error_of(parse_resident_id, with_check(f"110105{next_year}0101002")).code == "future_birth"


def test_wrong_check_character():
    err = error_of(parse_resident_id, "110105194912310023")
    assert (err.code, err.message) == ("check_char", "身份证号码校验码应为X，实际为3，请核对号码是否填写有误")


def test_region_code_created_after_the_birth_year_is_not_a_reason_to_reject():
    # 500101 (Chongqing's 万州区) dates from 1997; a holder born in 1950 keeps a number under it.
    assert parse_resident_id(with_check("50010119500101002")).region_code == "500101"
    # 371503 (聊城市茌平区) dates from 2019.
    assert parse_resident_id(with_check("37150319450607123")).birth_date == dt.date(1945, 6, 7)


def test_abolished_region_code_is_still_valid():
    # 371523 was 茌平县 before it became 茌平区 (371503); numbers issued under it stay valid.
    assert parse_resident_id(with_check("37152319800101002")).region_code == "371523"


def test_check_char_function_refuses_malformed_input():
    for bad in ["1234", "1101051949123100A", "110105194912310021"]:
        assert error_of(resident_id_check_char, bad).code == "format"


def test_check_char_of_the_known_number():
    assert resident_id_check_char("11010519491231002") == "X"


# --- resident identity number: properties -----------------------------------------------

digit_strings = st.text(alphabet="0123456789", min_size=17, max_size=17)
provinces = st.sampled_from(sorted(PROVINCE_CODES))
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)


@st.composite
def valid_first17(draw):
    region = draw(provinces) + draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    birth = draw(births)
    sequence = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return f"{region}{birth:%Y%m%d}{sequence}"


@given(digit_strings)
def test_resident_check_char_agrees_with_reference(first17):
    assert resident_id_check_char(first17) == reference_resident_check(first17)


@given(valid_first17())
def test_every_valid_prefix_with_its_check_char_parses(first17):
    number = first17 + resident_id_check_char(first17)
    r = parse_resident_id(number, today=TODAY)
    assert r.number == number
    assert r.region_code == first17[:6]
    assert r.birth_date.strftime("%Y%m%d") == first17[6:14]
    assert r.sex == ("男" if int(first17[16]) % 2 else "女")
    # Lower-case x and spaces give the same number.
    assert parse_resident_id(" " + number.lower(), today=TODAY).number == number


@given(valid_first17(), st.sampled_from("0123456789X"))
def test_a_changed_check_char_is_rejected(first17, other):
    assume(other != reference_resident_check(first17))
    err = error_of(parse_resident_id, first17 + other, today=TODAY)
    assert err.code == "check_char"


@given(valid_first17(), st.integers(0, 16), st.sampled_from("0123456789"))
def test_a_single_changed_digit_is_never_accepted(first17, position, digit):
    assume(first17[position] != digit)
    number = first17 + resident_id_check_char(first17)
    changed = number[:position] + digit + number[position + 1:]
    with pytest.raises(IdentityError):
        parse_resident_id(changed, today=TODAY)


@given(valid_first17(), st.integers(0, 15))
def test_swapped_neighbouring_digits_are_never_accepted(first17, position):
    assume(first17[position] != first17[position + 1])
    number = first17 + resident_id_check_char(first17)
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2:]
    with pytest.raises(IdentityError):
        parse_resident_id(swapped, today=TODAY)


# --- unified social credit code: examples ------------------------------------------------


def test_known_valid_credit_code():
    c = parse_uscc("91350100M000100Y43")
    assert c.code == "91350100M000100Y43"
    assert (c.registration_authority, c.org_type, c.region_code) == ("工商", "企业", "350100")
    assert (c.authority_code, c.org_type_code, c.subject_code) == ("9", "1", "M000100Y4")


def test_credit_code_is_normalised():
    assert parse_uscc(" 91350100m000100y43 ").code == "91350100M000100Y43"
    assert parse_uscc("９１３５０１００Ｍ０００１００Ｙ４３").code == "91350100M000100Y43"


@pytest.mark.parametrize(("first17", "authority", "org_type"), [
    ("12370700MB0000002", "机构编制", "事业单位"),
    ("51370700MJD000001", "民政", "社会团体"),
    ("N2371728MF0000001", "农业", "村级集体经济组织"),
    ("Y1371500MC0000001", "其他", "其他"),
    ("A1100000MA0000001", "中央军委改革和编制办公室", "军队事业单位"),
    ("81370705MC0000001", "工会", "基层工会"),
    ("92370705MA3C00001", "工商", "个体工商户"),
])
def test_credit_codes_of_every_kind(first17, authority, org_type):
    c = parse_uscc(uscc_with_check(first17))
    assert (c.registration_authority, c.org_type) == (authority, org_type)


def test_credit_code_empty():
    assert error_of(parse_uscc, "").code == "empty"


def test_credit_code_length():
    err = error_of(parse_uscc, "91350100M000100Y4")
    assert (err.code, err.message) == ("length", "统一社会信用代码应为18位，当前为17位")


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_credit_code_letters_outside_the_charset(letter):
    err = error_of(parse_uscc, "91350100M000100Y4" + letter)
    assert err.code == "format"
    assert err.message.startswith(f"统一社会信用代码第18位“{letter}”不是有效字符")


def test_credit_code_unknown_authority():
    err = error_of(parse_uscc, uscc_with_check("B1350100M000100Y4"))
    assert err.code == "authority"
    assert "“B”" in err.message


@pytest.mark.parametrize("first17", ["94350100M000100Y4", "Y2371500MC0000001", "58370700MJD000001"])
def test_credit_code_type_not_allowed_for_its_authority(first17):
    err = error_of(parse_uscc, uscc_with_check(first17))
    assert err.code == "org_type"
    assert USCC_AUTHORITIES[first17[0]].name in err.message


def test_credit_code_region_must_be_digits():
    err = error_of(parse_uscc, uscc_with_check("9135A100M000100Y4"))
    assert err.code == "region"
    assert "35A100" in err.message


def test_credit_code_wrong_check_char():
    err = error_of(parse_uscc, "91350100M000100Y44")
    assert (err.code, err.message) == ("check_char", "统一社会信用代码校验码应为3，实际为4，请核对代码是否填写有误")


def test_uscc_check_char_refuses_malformed_input():
    assert error_of(uscc_check_char, "91350100M000100Y").code == "format"
    assert error_of(uscc_check_char, "91350100M000100YI").code == "format"


# --- unified social credit code: properties ---------------------------------------------

uscc_strings = st.text(alphabet=REFERENCE_USCC_CHARS, min_size=17, max_size=17)


@st.composite
def valid_uscc_first17(draw):
    authority = draw(st.sampled_from(sorted(USCC_AUTHORITIES)))
    org_type = draw(st.sampled_from(sorted(USCC_AUTHORITIES[authority].org_types)))
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    subject = draw(st.text(alphabet=REFERENCE_USCC_CHARS, min_size=9, max_size=9))
    return authority + org_type + region + subject


@given(uscc_strings)
def test_uscc_check_char_agrees_with_reference(first17):
    assert uscc_check_char(first17) == reference_uscc_check(first17)
    assert uscc_check_char(first17.lower()) == reference_uscc_check(first17)


@given(valid_uscc_first17())
def test_every_valid_credit_code_prefix_with_its_check_char_parses(first17):
    code = first17 + uscc_check_char(first17)
    c = parse_uscc(code)
    assert c.code == code
    assert c.region_code == first17[2:8]
    assert c.registration_authority == USCC_AUTHORITIES[first17[0]].name


@given(valid_uscc_first17(), st.sampled_from(REFERENCE_USCC_CHARS))
def test_a_changed_credit_code_check_char_is_rejected(first17, other):
    assume(other != reference_uscc_check(first17))
    assert error_of(parse_uscc, first17 + other).code == "check_char"


@given(valid_uscc_first17(), st.integers(8, 16), st.sampled_from(REFERENCE_USCC_CHARS))
def test_a_single_changed_subject_character_is_rejected(first17, position, ch):
    assume(first17[position] != ch)
    code = first17 + uscc_check_char(first17)
    changed = code[:position] + ch + code[position + 1:]
    assert error_of(parse_uscc, changed).code == "check_char"
