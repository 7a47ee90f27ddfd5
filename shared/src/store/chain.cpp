#include <nlohmann/json.hpp>

#include "hcp/base/crypto.hpp"
#include "hcp/store/store.hpp"

namespace hcp {

std::string canonical_record(const Rating& r) {
    // nlohmann::json objects keep keys sorted, and dump() without indent emits no spaces, so
    // the same record always yields the same bytes. "v" versions the layout itself.
    nlohmann::json j;
    j["v"] = 1;
    j["id"] = r.id;
    j["device_id"] = r.device_id;
    j["seq"] = r.seq;
    j["case_nos"] = r.case_nos;
    j["stage"] = to_string(r.stage);
    j["target"] = to_string(r.target);
    j["level"] = to_int(r.level);
    j["option_codes"] = r.option_codes;
    j["option_labels"] = r.option_labels;
    j["text"] = r.text;
    j["channel"] = to_string(r.channel);
    j["tapped_at_ms"] = r.tapped_at.time_since_epoch().count();
    j["catalog_id"] = r.catalog_id;
    j["catalog_version"] = r.catalog_version;
    j["public"] = r.is_public;
    j["default"] = r.is_default;
    j["hall_code"] = r.hall_code;
    j["area_code"] = r.area_code;
    j["item_code"] = r.item_code;
    j["item_name"] = r.item_name;
    j["kind"] = to_string(r.kind);
    j["window"] = r.window;
    j["staff_number"] = r.staff_number;
    j["staff_name"] = r.staff_name;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string chain_hash(const std::string& prev_hash, const Rating& r) {
    return sha256_hex(prev_hash + "\n" + canonical_record(r));
}

}  // namespace hcp
