// Ticket numbers: format, normalisation of typed numbers, the business day, and the durable
// per-(day, prefix) counter. The counter is keyed by prefix rather than category code so that a
// renamed category or a prefix moved to another category mid-day can never print a number twice.
#include <cstdio>

#include "hcp/queue/policy.hpp"
#include "queue/persistence.hpp"

namespace hcp {

std::string format_ticket_number(char prefix, long long seq, int digits) {
    if (prefix < 'A' || prefix > 'Z') throw Error(Errc::invalid_argument, "ticket prefix must be A-Z");
    if (seq < 1) throw Error(Errc::invalid_argument, "ticket sequence must be at least 1");
    if (digits < 1 || digits > 9) throw Error(Errc::invalid_argument, "ticket digits must be 1 to 9");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%c%0*lld", prefix, digits, seq);
    return buf;
}

std::optional<std::string> normalize_ticket_number(std::string_view text, int digits) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
        text.remove_suffix(1);
    if (text.size() < 2 || text.size() > 10) return std::nullopt;
    char p = text[0];
    if (p >= 'a' && p <= 'z') p = static_cast<char>(p - 'a' + 'A');
    if (p < 'A' || p > 'Z') return std::nullopt;
    long long seq = 0;
    for (char c : text.substr(1)) {
        if (c < '0' || c > '9') return std::nullopt;
        seq = seq * 10 + (c - '0');
    }
    if (seq < 1) return std::nullopt;
    if (digits < 1 || digits > 9) return std::nullopt;
    return format_ticket_number(p, seq, digits);
}

std::string business_day(TimePoint t) {
    return format_date(china_date(t));
}

namespace queue_db {

long long allocate_number(sql::Db& db, const std::string& day, char prefix) {
    // Inside the caller's transaction: the counter row and the ticket commit together, so a
    // crash either keeps both or neither and the next number is always fresh.
    sql::Statement st(db,
                      "INSERT INTO queue_numbers(business_day, prefix, last_seq) VALUES (?, ?, 1) "
                      "ON CONFLICT(business_day, prefix) DO UPDATE SET last_seq = last_seq + 1 "
                      "RETURNING last_seq");
    st.bind(1, day).bind(2, std::string(1, prefix));
    if (!st.step()) throw Error(Errc::store_failure, "number counter returned no row");
    long long seq = st.column_int(0);
    st.run();
    return seq;
}

long long numbers_issued(const sql::Db& db, const std::string& day, char prefix) {
    sql::Statement st(db, "SELECT last_seq FROM queue_numbers WHERE business_day = ? AND prefix = ?");
    st.bind(1, day).bind(2, std::string(1, prefix));
    return st.step() ? st.column_int(0) : 0;
}

}  // namespace queue_db

}  // namespace hcp
