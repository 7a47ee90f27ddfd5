// Personal data of applicants and its masking (shared/include/hcp/personal.hpp, DESIGN §5.8:
// personal data is masked everywhere but the authenticated upload).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "hcp/base/personal.hpp"
#include "hcp/base/utf8.hpp"

using namespace hcp;

namespace {

// Strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(const std::string& s) {
    return hcp::utf8::is_valid(s);
}

size_t count(const std::string& s, char c) {
    size_t n = 0;
    for (char x : s) n += x == c ? 1 : 0;
    return n;
}

const std::string kName = "张三丰";
const std::string kPhone = "13812341234";
const std::string kId = "110101199003071234";

Applicant sample_applicant() {
    Applicant a;
    a.name = PersonalField(PersonalKind::name, kName);
    a.phone = PersonalField(PersonalKind::phone, kPhone);
    a.id_number = PersonalField(PersonalKind::id_number, kId);
    return a;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// mask_name

TEST_CASE("Masking: a two-character Chinese name keeps its surname and stars the given name") {
    CHECK(mask_name("张三") == "张*");
}

TEST_CASE("Masking: a four-character compound-surname name keeps only its first character") {
    CHECK(mask_name("欧阳娜娜") == "欧***");
    CHECK(mask_name("张三丰") == "张**");
}

TEST_CASE("Masking: a one-character name is still starred so its length is not revealed") {
    CHECK(mask_name("张") == "张*");
    CHECK(mask_name("L") == "L*");
}

TEST_CASE("Masking: an empty name stays empty") {
    CHECK(mask_name("").empty());
}

TEST_CASE("Masking: an ASCII name keeps its first letter and stars every other byte") {
    CHECK(mask_name("Li Lei") == "L*****");
    CHECK(mask_name("Li Lei").find("Lei") == std::string::npos);
}

TEST_CASE("Masking: a name with a 4-byte character (CJK extension B) is counted per code point") {
    // 𠀀 (U+20000) is 4 bytes in UTF-8.
    CHECK(mask_name("\xF0\xA0\x80\x80"
                    "三") ==
          "\xF0\xA0\x80\x80"
          "*");
    CHECK(mask_name("王\xF0\xA0\x80\x80") == "王*");
}

TEST_CASE("Masking: a name's masked form never contains any of its characters but the first") {
    const std::vector<std::string> names = {"司马相如", "爱新觉罗溥仪", "阿卜杜拉·艾合买提", "Zhang San"};
    for (const auto& n : names) {
        INFO(n);
        auto m = mask_name(n);
        CHECK(valid_utf8(m));
        // Everything after the first character is a star.
        auto first_len = static_cast<unsigned char>(n[0]) < 0x80 ? 1u : 3u;
        CHECK(m.substr(0, first_len) == n.substr(0, first_len));
        CHECK(count(m, '*') == m.size() - first_len);
    }
}

TEST_CASE("Masking: invalid UTF-8 inside a name never produces a broken sequence after the first character") {
    // Truncated, lone continuation and overlong bytes after a valid first character.
    const std::vector<std::string> names = {
        "张\xE4\xB8",  // 张 + truncated 3-byte sequence
        "张\x80\x80",  // lone continuation bytes
        "张\xC0\xAF",  // overlong '/'
        "张\xFF\xFE",  // bytes that never occur in UTF-8
        "张\xE4\xB8"
        "三",  // truncated sequence followed by a valid character
    };
    for (const auto& n : names) {
        INFO("bytes: " << n.size());
        auto m = mask_name(n);
        CHECK(valid_utf8(m));
        CHECK(m.rfind("张", 0) == 0);
        // Only the first character survives.
        CHECK(m.substr(3).find_first_not_of('*') == std::string::npos);
    }
}

TEST_CASE("Masking: a name that starts with an invalid UTF-8 byte still masks to valid UTF-8") {
    const std::vector<std::string> names = {
        "\xE5\xBC",    // 张 cut after two bytes
        "\xE5",        // a lone lead byte
        "\x80",        // a lone continuation byte
        "\xBC\xA0三",  // the tail of 张 followed by 三
        "\xFF"
        "abc",
    };
    for (const auto& n : names) {
        INFO("first byte: " << static_cast<int>(static_cast<unsigned char>(n[0])));
        auto m = mask_name(n);
        CHECK_FALSE(m.empty());
        CHECK(valid_utf8(m));
    }
}

// ---------------------------------------------------------------------------------------------
// mask_phone

TEST_CASE("Masking: a mobile number keeps its first 3 and last 4 digits") {
    CHECK(mask_phone("13812341234") == "138****1234");
    CHECK(mask_phone("15011112222") == "150****2222");
}

TEST_CASE("Masking: a +86 mobile number never shows the subscriber's middle digits") {
    for (std::string phone : {"+8613812341234", "+86 13812341234", "+86-138-1234-1234", "008613812341234"}) {
        INFO(phone);
        auto m = mask_phone(phone);
        CHECK(m.size() == phone.size());
        // The last 4 digits stay for recognition.
        CHECK(m.substr(m.size() - 4) == "1234");
        // The plain national number and its middle part are gone.
        CHECK(m.find("13812341234") == std::string::npos);
        CHECK(m.find("1381234") == std::string::npos);
        CHECK(m.find("8123") == std::string::npos);
        CHECK(count(m, '*') >= 4);
    }
    CHECK(mask_phone("+8613812341234") == "+86*******1234");
}

TEST_CASE("Masking: a landline with area code keeps its first 3 and last 4 characters") {
    CHECK(mask_phone("04712345678") == "047****5678");
    CHECK(mask_phone("0471-2345678") == "047*****5678");
}

TEST_CASE("Masking: an 8-digit landline keeps only its last 4 digits") {
    CHECK(mask_phone("23456789") == "****6789");
}

TEST_CASE("Masking: a 7-digit local landline is never shown in plain") {
    for (std::string phone : {"5212345", "1234567"}) {
        INFO(phone);
        auto m = mask_phone(phone);
        CHECK(m != phone);
        CHECK(count(m, '*') >= 1);
    }
}

TEST_CASE("Masking: numbers shorter than 7 characters keep only their last 2") {
    CHECK(mask_phone("123456") == "****56");
    CHECK(mask_phone("12345") == "***45");
    CHECK(mask_phone("110") == "*10");
    CHECK(mask_phone("12") == "**");
    CHECK(mask_phone("1") == "*");
    CHECK(mask_phone("").empty());
}

TEST_CASE("Masking: a phone field holding non-ASCII text is masked per character, never split") {
    auto m = mask_phone("电话一二三四五六七八");
    CHECK(valid_utf8(m));
    CHECK(m == "******五六七八");
    CHECK(valid_utf8(mask_phone("\xE5\xBC\xA0\xE5")));  // a truncated sequence at the end
}

// ---------------------------------------------------------------------------------------------
// mask_id_number

TEST_CASE("Masking: an 18-character ID number keeps its first 6 and last 4 characters") {
    CHECK(mask_id_number("110101199003071234") == "110101********1234");
    auto m = mask_id_number(kId);
    CHECK(m.find("19900307") == std::string::npos);  // the birth date is hidden
}

TEST_CASE("Masking: an ID number ending in the X check digit keeps the X") {
    CHECK(mask_id_number("15010219900303456X") == "150102********456X");
    CHECK(mask_id_number("15010219900303456x") == "150102********456x");
}

TEST_CASE("Masking: a 15-character old-style ID number keeps its first 6 and last 4") {
    CHECK(mask_id_number("110101900307123") == "110101*****7123");
    CHECK(mask_id_number("110101900307123").find("900307") == std::string::npos);
}

TEST_CASE("Masking: a short ID value is starred except its last 2 characters") {
    CHECK(mask_id_number("12345678901") == "*********01");
    CHECK(mask_id_number("1234") == "**34");
    CHECK(mask_id_number("12") == "**");
    CHECK(mask_id_number("1") == "*");
    CHECK(mask_id_number("").empty());
}

TEST_CASE("Masking: masked values keep the length of the value in characters") {
    CHECK(mask_id_number(kId).size() == kId.size());
    CHECK(mask_phone(kPhone).size() == kPhone.size());
    CHECK(mask_id_number("91150102MA0N123456") == "911501********3456");  // unified social credit code
}

// ---------------------------------------------------------------------------------------------
// PersonalField and Applicant

TEST_CASE("PersonalField: masked() applies the rule of the field's kind") {
    CHECK(PersonalField(PersonalKind::name, "张三").masked() == "张*");
    CHECK(PersonalField(PersonalKind::phone, "13812341234").masked() == "138****1234");
    CHECK(PersonalField(PersonalKind::id_number, "110101199003071234").masked() == "110101********1234");
    // The same text masks differently by kind.
    CHECK(PersonalField(PersonalKind::name, "13812341234").masked() == "1**********");
    CHECK(PersonalField(PersonalKind::id_number, "13812341234").masked() == "*********34");
}

TEST_CASE("PersonalField: reveal() returns the plain value and empty() reflects it") {
    PersonalField f(PersonalKind::phone, kPhone);
    CHECK(f.reveal() == kPhone);
    CHECK_FALSE(f.empty());
    CHECK(f.kind() == PersonalKind::phone);
    PersonalField none;
    CHECK(none.empty());
    CHECK(none.masked().empty());
    CHECK(none.kind() == PersonalKind::name);
}

TEST_CASE("PersonalField: operator<< writes the masked value, never the plain one") {
    Applicant a = sample_applicant();
    std::ostringstream os;
    os << "name=" << a.name << " phone=" << a.phone << " id=" << a.id_number;
    const std::string log = os.str();
    CHECK(log == "name=张** phone=138****1234 id=110101********1234");
    CHECK(log.find(kName) == std::string::npos);
    CHECK(log.find("三丰") == std::string::npos);
    CHECK(log.find(kPhone) == std::string::npos);
    CHECK(log.find(kId) == std::string::npos);
}

TEST_CASE("Applicant: masked_summary shows the three masked fields separated by spaces") {
    CHECK(sample_applicant().masked_summary() == "张** 138****1234 110101********1234");
}

TEST_CASE("Applicant: masked_summary never contains the plain name, phone or ID") {
    auto s = sample_applicant().masked_summary();
    CHECK(s.find(kName) == std::string::npos);
    CHECK(s.find("三丰") == std::string::npos);
    CHECK(s.find(kPhone) == std::string::npos);
    CHECK(s.find("4123") == std::string::npos);  // the phone's middle digits
    CHECK(s.find(kId) == std::string::npos);
    CHECK(s.find("19900307") == std::string::npos);
}

TEST_CASE("Applicant: masked_summary skips empty fields without doubling separators") {
    Applicant a;
    CHECK(a.masked_summary().empty());
    a.phone = PersonalField(PersonalKind::phone, kPhone);
    CHECK(a.masked_summary() == "138****1234");
    a.name = PersonalField(PersonalKind::name, "李四");
    CHECK(a.masked_summary() == "李* 138****1234");
}

TEST_CASE("Applicant: equality compares the plain values") {
    CHECK(sample_applicant() == sample_applicant());
    Applicant other = sample_applicant();
    other.phone = PersonalField(PersonalKind::phone, "13812349999");  // same masked prefix
    CHECK_FALSE(other == sample_applicant());
}
