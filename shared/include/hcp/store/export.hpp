#pragma once
// Export of ratings (hcpctl export): CSV or JSON, masked by default.
#include <iosfwd>
#include <optional>

#include "hcp/base/crypto.hpp"
#include "hcp/store/store.hpp"

namespace hcp {

enum class ExportFormat { csv, json };

struct ExportOptions {
    TimePoint from{};
    TimePoint to{};
    ExportFormat format = ExportFormat::csv;
    // Applicant data is always masked in exports unless `unmasked` is set, which also needs the
    // key to decrypt it.
    bool unmasked = false;
};

// Writes the ratings tapped in [from, to) with their case context; returns the row count.
long long export_ratings(const Store& store, const ExportOptions& options, std::ostream& out);

}  // namespace hcp
