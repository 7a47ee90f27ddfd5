#include "hcp/store/export.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace hcp {

namespace {

std::string csv_field(const std::string& value) {
    // RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a
    // formula (CSV injection).
    std::string v = value;
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v.insert(v.begin(), '\'');
    bool quote = v.find_first_of(",\"\n\r") != std::string::npos;
    if (!quote) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty()) out += sep;
        out += i;
    }
    return out;
}

struct ApplicantView {
    std::string name, phone, id_number;
};

ApplicantView applicant_of(const Store& store, const Rating& r, bool unmasked) {
    ApplicantView v;
    if (r.case_nos.empty()) return v;
    auto c = store.find_case(r.case_nos.front());
    if (!c) return v;
    const Applicant& a = c->applicant;
    v.name = unmasked ? a.name.reveal() : a.name.masked();
    v.phone = unmasked ? a.phone.reveal() : a.phone.masked();
    v.id_number = unmasked ? a.id_number.reveal() : a.id_number.masked();
    return v;
}

}  // namespace

long long export_ratings(const Store& store, const ExportOptions& options, std::ostream& out) {
    auto ratings = store.ratings_between(options.from, options.to);
    if (options.format == ExportFormat::csv) {
        out << "id,device_id,seq,tapped_at,case_nos,item_code,item_name,kind,stage,target,level,level_label,"
               "bad,options,option_labels,text,channel,window,staff_number,staff_name,hall_code,area_code,"
               "catalog,public,default,applicant_name,applicant_phone,applicant_id,default_calendar\n";
        for (const auto& r : ratings) {
            auto a = applicant_of(store, r, options.unmasked);
            const std::string fields[] = {r.id,
                                          r.device_id,
                                          std::to_string(r.seq),
                                          format_iso8601(r.tapped_at),
                                          join(r.case_nos, ";"),
                                          r.item_code,
                                          r.item_name,
                                          std::string(to_string(r.kind)),
                                          std::string(to_string(r.stage)),
                                          std::string(to_string(r.target)),
                                          std::to_string(to_int(r.level)),
                                          std::string(label_zh(r.level)),
                                          is_bad(r.level) ? "1" : "0",
                                          join(r.option_codes, ";"),
                                          join(r.option_labels, ";"),
                                          r.text,
                                          std::string(to_string(r.channel)),
                                          std::to_string(r.window),
                                          r.staff_number,
                                          r.staff_name,
                                          r.hall_code,
                                          r.area_code,
                                          r.catalog_id + "@" + std::to_string(r.catalog_version),
                                          r.is_public ? "1" : "0",
                                          r.is_default ? "1" : "0",
                                          a.name,
                                          a.phone,
                                          a.id_number,
                                          r.is_default ? store.default_calendar(r.id) : std::string()};
            bool first = true;
            for (const auto& f : fields) {
                if (!first) out << ',';
                out << csv_field(f);
                first = false;
            }
            out << '\n';
        }
    } else {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& r : ratings) {
            auto a = applicant_of(store, r, options.unmasked);
            nlohmann::json j;
            j["id"] = r.id;
            j["device_id"] = r.device_id;
            j["seq"] = r.seq;
            j["tapped_at"] = format_iso8601(r.tapped_at);
            j["case_nos"] = r.case_nos;
            j["item_code"] = r.item_code;
            j["item_name"] = r.item_name;
            j["kind"] = to_string(r.kind);
            j["stage"] = to_string(r.stage);
            j["target"] = to_string(r.target);
            j["level"] = to_int(r.level);
            j["level_label"] = label_zh(r.level);
            j["bad"] = is_bad(r.level);
            j["options"] = r.option_codes;
            j["option_labels"] = r.option_labels;
            j["text"] = r.text;
            j["channel"] = to_string(r.channel);
            j["window"] = r.window;
            j["staff_number"] = r.staff_number;
            j["staff_name"] = r.staff_name;
            j["hall_code"] = r.hall_code;
            j["area_code"] = r.area_code;
            j["catalog_id"] = r.catalog_id;
            j["catalog_version"] = r.catalog_version;
            j["public"] = r.is_public;
            j["default"] = r.is_default;
            // What a default's deadline was counted with: "notice", or "provisional 2027".
            if (r.is_default) j["default_calendar"] = store.default_calendar(r.id);
            j["applicant"] = {
                {"name", a.name}, {"phone", a.phone}, {"id_number", a.id_number}, {"masked", !options.unmasked}};
            j["hash"] = r.hash;
            arr.push_back(std::move(j));
        }
        out << arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    return static_cast<long long>(ratings.size());
}

}  // namespace hcp
