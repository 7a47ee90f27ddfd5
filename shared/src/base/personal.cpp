#include "hcp/base/personal.hpp"

#include <ostream>
#include <vector>

#include "hcp/base/utf8.hpp"

namespace hcp {

namespace {

// Splits UTF-8 text into characters (an invalid byte is a unit of its own, so masking never
// emits a partial sequence).
std::vector<std::string_view> code_points(std::string_view s) {
    std::vector<std::string_view> out;
    for (size_t i = 0; i < s.size();) {
        const size_t size = utf8::char_at(s, i).size;
        out.push_back(s.substr(i, size));
        i += size;
    }
    return out;
}

// A unit that is not a well-formed character (one invalid byte).
bool is_invalid_unit(std::string_view unit) {
    return !utf8::char_at(unit, 0).valid;
}

// Kept units are copied unless they are invalid bytes, which become '*': masked text is always
// valid UTF-8, whatever came in.
std::string keep_edges(std::string_view value, size_t head, size_t tail) {
    auto cps = code_points(value);
    std::string out;
    for (size_t i = 0; i < cps.size(); ++i) {
        bool keep = i < head || i + tail >= cps.size();
        if (keep && !is_invalid_unit(cps[i]))
            out += cps[i];
        else
            out += '*';
    }
    return out;
}

}  // namespace

std::string mask_name(std::string_view utf8_name) {
    auto cps = code_points(utf8_name);
    if (cps.empty()) return {};
    std::string out(is_invalid_unit(cps[0]) ? std::string_view("*") : cps[0]);
    // A one-character name still hides that it has only one character.
    out.append(cps.size() > 1 ? cps.size() - 1 : 1, '*');
    return out;
}

std::string mask_phone(std::string_view phone) {
    // Mobile numbers and landlines with area code (11+): 138****1234. Shorter numbers keep no
    // prefix, so at least half of every number is hidden: 8–10 keep the last 4, 3–7 the last 2.
    auto n = code_points(phone).size();
    if (n >= 11) return keep_edges(phone, 3, 4);
    if (n >= 8) return keep_edges(phone, 0, 4);
    if (n >= 3) return keep_edges(phone, 0, 2);
    return keep_edges(phone, 0, 0);
}

std::string mask_id_number(std::string_view id_number) {
    auto n = code_points(id_number).size();
    if (n >= 12) return keep_edges(id_number, 6, 4);
    if (n == 0) return {};
    return keep_edges(id_number, 0, n > 2 ? 2 : 0);
}

std::string PersonalField::masked() const {
    switch (m_kind) {
        case PersonalKind::name: return mask_name(m_value);
        case PersonalKind::phone: return mask_phone(m_value);
        case PersonalKind::id_number: return mask_id_number(m_value);
    }
    return {};
}

std::ostream& operator<<(std::ostream& os, const PersonalField& field) {
    return os << field.masked();
}

std::string Applicant::masked_summary() const {
    std::string out;
    for (const PersonalField* f : {&name, &phone, &id_number}) {
        if (f->empty()) continue;
        if (!out.empty()) out += ' ';
        out += f->masked();
    }
    return out;
}

}  // namespace hcp
