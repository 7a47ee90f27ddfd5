#pragma once
// Ratings that travel between devices of one hall: a terminal that cannot reach its hub records
// the rating in its own store (outbox target "hub"); a forwarder later posts it to the hub, which
// inserts it as recorded — same id, device, seq, hashes and MAC — idempotently by rating id.
//
// Contracts:
// - ForwardStore opens its own SQLite connection to an existing store database (created by
//   Store::open), so it can live next to a Store object in the same thread. Not thread-safe.
// - insert_forwarded() writes the rating, its slots, a "platform" outbox row and the sending
//   device's chain head in one transaction; a rating id already present returns duplicate and
//   writes nothing; a slot already taken by another rating is refused (already_rated).
// - The rating's hash must match its content (chain_hash); the MAC needs the sending device's
//   key and is kept as is for hcpctl verify on that key.
// - Ratings of one device arrive as its chain: the next seq after the device's chain head here
//   (1 when there is none) whose prev_hash is that head's hash (64 zeros at seq 1). Anything
//   else is out_of_order (a later link waiting for an earlier one) or invalid (a fork).
// - A link refused because its case was rated meanwhile (already_rated) is kept as a superseded
//   link (table superseded_ratings: the full record, the rating that holds the case, when) and
//   moves the chain head: the chain stays gapless, the link is visibly not a rating (it holds
//   no slot, is not counted, is not uploaded) and hcpctl verify lists it as superseded.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hcp/base/error.hpp"
#include "hcp/domain/domain.hpp"
#include "hcp/domain/rules.hpp"

namespace hcp {

enum class ForwardOutcome { inserted, duplicate };

enum class ForwardFailureCause {
    invalid,        // missing fields or hash does not match the content
    unknown_case,   // a case it names is not in this store
    already_rated,  // a slot it needs is held by another rating (the link is kept as superseded)
    out_of_order,   // not the next link of the device's chain here (an earlier one has not arrived)
    storage_error,
};

struct ForwardFailure {
    ForwardFailureCause cause = ForwardFailureCause::storage_error;
    std::string detail;
};

class ForwardStore {
public:
    explicit ForwardStore(const std::filesystem::path& database);
    ~ForwardStore();
    ForwardStore(ForwardStore&&) noexcept;
    ForwardStore& operator=(ForwardStore&&) noexcept;

    // `outbox_target` is where the receiving store sends it next ("platform" on a hub).
    Result<ForwardOutcome, ForwardFailure> insert_forwarded(const Rating& rating,
                                                            const std::string& outbox_target = "platform");

    // Sending and acknowledging is the outbox's job (store_outbox.hpp OutboxQueue, target "hub").

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace hcp
