#pragma once
// Personal data of an applicant (办事人) and the masking rules applied to it.
//
// Contract: the plain value of a PersonalField is reachable only through reveal(), which the
// store (to encrypt it) and the authenticated upload use. Every display, print and log path uses
// masked() or operator<<, which also masks, so a field dropped into a log line cannot leak.
#include <iosfwd>
#include <string>
#include <string_view>

namespace hcp {

// 张三 → 张*, 欧阳娜娜 → 欧***. Counts UTF-8 code points; an empty name stays empty.
std::string mask_name(std::string_view utf8_name);
// 13812341234 → 138****1234 (11 or more characters); 8–10 characters keep the last 4
// (****6789), 3–7 the last 2, shorter ones nothing. Output is always valid UTF-8.
std::string mask_phone(std::string_view phone);
// ID number: first 6 and last 4 characters kept (110101********1234); shorter values are starred
// except the last 2 characters.
std::string mask_id_number(std::string_view id_number);

enum class PersonalKind { name, phone, id_number };

class PersonalField {
public:
    PersonalField() = default;
    PersonalField(PersonalKind kind, std::string value) : m_kind(kind), m_value(std::move(value)) {}

    PersonalKind kind() const noexcept { return m_kind; }
    bool empty() const noexcept { return m_value.empty(); }
    std::string masked() const;
    // Plain value: only for encryption at rest and the authenticated upload.
    const std::string& reveal() const noexcept { return m_value; }

    friend bool operator==(const PersonalField&, const PersonalField&) = default;

private:
    PersonalKind m_kind = PersonalKind::name;
    std::string m_value;
};

std::ostream& operator<<(std::ostream& os, const PersonalField& field);  // writes masked()

struct Applicant {
    PersonalField name{PersonalKind::name, {}};
    PersonalField phone{PersonalKind::phone, {}};
    PersonalField id_number{PersonalKind::id_number, {}};

    // "张* 138****1234 110101********1234" for logs and screens.
    std::string masked_summary() const;
    friend bool operator==(const Applicant&, const Applicant&) = default;
};

}  // namespace hcp
