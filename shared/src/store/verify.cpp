#include "hcp/store/verify.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "hcp/store/store.hpp"
#include "store/schema.hpp"

namespace hcp {

std::string_view to_string(TamperKind k) noexcept {
    switch (k) {
        case TamperKind::deleted: return "deleted";
        case TamperKind::altered: return "altered";
        case TamperKind::reordered: return "reordered";
        case TamperKind::inserted: return "inserted";
        case TamperKind::truncated: return "truncated";
        case TamperKind::mac_invalid: return "mac_invalid";
        case TamperKind::triggers_removed: return "triggers_removed";
        case TamperKind::integrity: return "integrity";
    }
    return "unknown";
}

std::string TamperFinding::describe() const {
    std::string seqs = seq_first == seq_last ? "seq " + std::to_string(seq_first)
                                             : "seq " + std::to_string(seq_first) + "–" + std::to_string(seq_last);
    std::string who = device_id.empty() ? "" : "device " + device_id + ": ";
    switch (kind) {
        case TamperKind::deleted: return who + seqs + " deleted (missing from the gapless sequence)";
        case TamperKind::altered:
            return who + seqs + " altered after it was recorded" + (detail.empty() ? "" : " (" + detail + ")");
        case TamperKind::reordered:
            return who + seqs + " reordered: this rating was recorded as seq " + std::to_string(original_seq);
        case TamperKind::inserted:
            return who + seqs + " inserted: not part of the device's chain" +
                   (detail.empty() ? "" : " (" + detail + ")");
        case TamperKind::truncated:
            return who + seqs + " missing at the end of the chain (chain head recorded " + detail + ")";
        case TamperKind::mac_invalid:
            return who + seqs + " forged: written or rewritten without the device key (MAC invalid)";
        case TamperKind::triggers_removed: return "append-only triggers removed: " + detail;
        case TamperKind::integrity: return "SQLite integrity check failed: " + detail;
    }
    return detail;
}

namespace {

bool raw_enums_valid(const sql::Statement& row) {
    return parse_stage(row.column_text(4)) && parse_rating_target(row.column_text(5)) &&
           parse_channel(row.column_text(10)) && parse_case_kind(row.column_text(20));
}

struct Row {
    Rating rating;
    bool enums_valid = true;
    bool self_ok = false;  // hash matches the record at its current seq
    bool mac_ok = true;
};

void add(std::vector<TamperFinding>& out, TamperKind kind, const std::string& device, long long first, long long last,
         std::string detail = {}, long long original = 0) {
    // Merge consecutive findings of the same kind into one range.
    if (!out.empty()) {
        auto& prev = out.back();
        if (prev.kind == kind && prev.device_id == device && prev.seq_last + 1 == first &&
            kind != TamperKind::reordered && prev.detail == detail) {
            prev.seq_last = last;
            return;
        }
    }
    TamperFinding f;
    f.kind = kind;
    f.device_id = device;
    f.seq_first = first;
    f.seq_last = last;
    f.original_seq = original;
    f.detail = std::move(detail);
    out.push_back(std::move(f));
}

void verify_device(const std::string& device, std::vector<Row>& rows, const std::optional<ChainHead>& head,
                   std::vector<TamperFinding>& out) {
    // rows are sorted by seq. Index stored hashes and who claims which parent.
    std::unordered_map<std::string, size_t> by_hash;
    std::unordered_map<std::string, int> parents;  // prev_hash → number of rows claiming it
    std::unordered_multimap<std::string, size_t> children;
    for (size_t i = 0; i < rows.size(); ++i) {
        by_hash.emplace(rows[i].rating.hash, i);
        parents[rows[i].rating.prev_hash]++;
        children.emplace(rows[i].rating.prev_hash, i);
    }
    // Walk the links from the genesis hash to learn where each genuine record really belongs:
    // a record is at position p when its parent is at p-1 and it hashes correctly at p. This
    // recognises records whose seq was changed (reordered, or shifted to make room).
    std::unordered_map<size_t, long long> true_seq;
    {
        std::vector<std::pair<std::string, long long>> queue{{kGenesisHash, 0}};
        while (!queue.empty()) {
            auto [parent_hash, parent_seq] = queue.back();
            queue.pop_back();
            auto [begin, end] = children.equal_range(parent_hash);
            for (auto it = begin; it != end; ++it) {
                size_t idx = it->second;
                if (true_seq.count(idx) != 0) continue;
                const Row& child = rows[idx];
                long long candidate = parent_seq + 1;
                bool genuine = candidate == child.rating.seq ? child.self_ok : [&] {
                    Rating moved = child.rating;
                    moved.seq = candidate;
                    return chain_hash(moved.prev_hash, moved) == moved.hash;
                }();
                if (!genuine || !child.enums_valid) continue;
                true_seq[idx] = candidate;
                queue.emplace_back(child.rating.hash, candidate);
            }
        }
    }
    long long expected = 1;
    std::unordered_map<long long, bool> flagged;  // seq → already reported
    for (size_t i = 0; i < rows.size(); ++i) {
        Row& row = rows[i];
        const Rating& r = row.rating;
        if (r.seq > expected) add(out, TamperKind::deleted, device, expected, r.seq - 1);
        expected = r.seq + 1;

        if (!row.self_ok || !row.enums_valid) {
            flagged[r.seq] = true;
            // Does the record hash correctly at another position? Then it was moved.
            if (auto t = true_seq.find(i); t != true_seq.end() && t->second != r.seq) {
                add(out, TamperKind::reordered, device, r.seq, r.seq, {}, t->second);
                continue;
            }
            add(out, TamperKind::altered, device, r.seq, r.seq, "record does not match its hash");
            continue;
        }
        // Self-consistent record: is it linked into the chain?
        bool has_pred = i > 0 && rows[i - 1].rating.seq == r.seq - 1;
        bool pred_flagged = has_pred && flagged.count(r.seq - 1) != 0;
        std::string expected_prev =
            r.seq == 1 ? std::string(kGenesisHash) : (has_pred ? rows[i - 1].rating.hash : std::string());
        bool linked = r.prev_hash == expected_prev;
        bool next_links_here = i + 1 < rows.size() && rows[i + 1].rating.prev_hash == r.hash;
        bool is_last = i + 1 == rows.size();
        if (linked && !next_links_here && !is_last && parents[r.prev_hash] > 1) {
            // A sibling claims the same parent and the chain continues through it: this record
            // is a dead end spliced in.
            flagged[r.seq] = true;
            add(out, TamperKind::inserted, device, r.seq, r.seq, "the chain continues past it");
            continue;
        }
        if (!linked && (r.seq == 1 || has_pred) && !pred_flagged) {
            flagged[r.seq] = true;
            if (by_hash.count(r.prev_hash) != 0 || r.prev_hash == kGenesisHash) {
                add(out, TamperKind::inserted, device, r.seq, r.seq, "it links to another rating");
            } else {
                add(out, TamperKind::inserted, device, r.seq, r.seq,
                    "its predecessor hash is unknown: seq " + std::to_string(r.seq - 1) +
                        " was rewritten or this rating was inserted");
            }
            continue;
        }
        if (!row.mac_ok) {
            flagged[r.seq] = true;
            add(out, TamperKind::mac_invalid, device, r.seq, r.seq);
        }
    }
    if (!head && !rows.empty()) {
        add(out, TamperKind::altered, device, rows.back().rating.seq, rows.back().rating.seq,
            "the device's chain head record is missing");
    }
    if (head) {
        long long last = rows.empty() ? 0 : rows.back().rating.seq;
        if (head->seq > last) {
            add(out, TamperKind::truncated, device, last + 1, head->seq, "seq " + std::to_string(head->seq));
        } else if (head->seq < last && flagged.count(last) == 0) {
            add(out, TamperKind::inserted, device, head->seq + 1, last,
                "beyond the recorded chain head seq " + std::to_string(head->seq));
        } else if (!rows.empty() && head->hash != rows.back().rating.hash) {
            add(out, TamperKind::altered, device, last, last, "chain head hash differs");
        }
    }
}

}  // namespace

VerifyReport verify_store(const std::filesystem::path& db_path, const std::optional<SecretKey>& key) {
    if (!std::filesystem::exists(db_path)) throw Error(Errc::io_failure, db_path.string() + " does not exist");
    sql::Db db(db_path, sql::Db::Mode::read_only);
    VerifyReport report;
    schema::check_store_file(db, db_path, schema::SchemaAge::not_newer);

    {
        sql::Statement ic(db, "PRAGMA integrity_check");
        std::string problems;
        while (ic.step()) {
            std::string line = ic.column_text(0);
            if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
        }
        if (!problems.empty()) add(report.findings, TamperKind::integrity, "", 0, 0, problems);
    }
    {
        std::string missing;
        for (const char* name : {"ratings_no_update", "ratings_no_delete", "rating_slots_no_delete"}) {
            sql::Statement t(db, "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?");
            t.bind(1, name);
            if (!t.step()) missing += (missing.empty() ? "" : ", ") + std::string(name);
        }
        if (!missing.empty()) add(report.findings, TamperKind::triggers_removed, "", 0, 0, missing);
    }

    std::optional<SecretKey> chain_key;
    if (key) chain_key = key->derive(SecretKey::Purpose::chain_mac);
    report.mac_checked = chain_key.has_value();

    std::map<std::string, std::vector<Row>> devices;
    sql::Statement st(db, std::string("SELECT ") + schema::kRatingColumns + " FROM ratings ORDER BY device_id, seq");
    while (st.step()) {
        Row row;
        row.rating = schema::read_rating(st);
        row.enums_valid = raw_enums_valid(st);
        row.self_ok = chain_hash(row.rating.prev_hash, row.rating) == row.rating.hash;
        if (chain_key) row.mac_ok = equal_constant_time(hmac_sha256_hex(*chain_key, row.rating.hash), row.rating.mac);
        ++report.ratings;
        devices[row.rating.device_id].push_back(std::move(row));
    }
    bool has_superseded = false;
    {
        sql::Statement t(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'superseded_ratings'");
        has_superseded = t.step();
    }
    if (has_superseded) {
        sql::Statement ss(db,
                          std::string("SELECT ") + schema::kRatingColumns + ", superseded_by FROM superseded_ratings");
        while (ss.step()) {
            Row row;
            row.rating = schema::read_rating(ss);
            row.enums_valid = raw_enums_valid(ss);
            row.self_ok = chain_hash(row.rating.prev_hash, row.rating) == row.rating.hash;
            if (chain_key)
                row.mac_ok = equal_constant_time(hmac_sha256_hex(*chain_key, row.rating.hash), row.rating.mac);
            report.superseded.push_back(
                SupersededLink{row.rating.device_id, row.rating.seq, row.rating.id, ss.column_text(27)});
            devices[row.rating.device_id].push_back(std::move(row));
        }
        for (auto& [device, rows] : devices)
            std::stable_sort(rows.begin(), rows.end(),
                             [](const Row& a, const Row& b) { return a.rating.seq < b.rating.seq; });
    }
    std::map<std::string, ChainHead> heads;
    sql::Statement hs(db, "SELECT device_id, seq, hash FROM chain_heads");
    while (hs.step()) heads[hs.column_text(0)] = ChainHead{hs.column_int(1), hs.column_text(2)};
    for (const auto& [device, head] : heads) devices.try_emplace(device);

    report.devices = static_cast<int>(devices.size());
    for (auto& [device, rows] : devices) {
        std::optional<ChainHead> head;
        if (auto it = heads.find(device); it != heads.end()) head = it->second;
        verify_device(device, rows, head, report.findings);
    }
    return report;
}

}  // namespace hcp
