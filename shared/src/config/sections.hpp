#pragma once
// Internal: readers of the configuration sections that belong to one subsystem each
// ([terminal], [display], [queue], [printer], [receipt_qr], [api], [upload]). They record problems in the shared
// TomlReader, like the core sections, so one `hcpctl config check` lists every mistake.
#include <filesystem>

#include "hcp/config/config.hpp"
#include "hcp/detail/toml_util.hpp"

namespace hcp::detail {

// `p` as written when absolute, else against `base`, normalized.
std::filesystem::path resolve_against(const std::filesystem::path& base, const std::filesystem::path& p);

void read_terminal_section(TomlReader& r, const toml::table& t, TerminalConfig& out);
void read_display_section(TomlReader& r, const toml::table& t, DisplayConfig& out);
void read_queue_section(TomlReader& r, const toml::table& t, QueuePolicy& out);
// data_dir resolves jobs_dir.
void read_printer_section(TomlReader& r, const toml::table& t, const std::filesystem::path& data_dir,
                          PrinterConfig& out);
void read_receipt_qr_section(TomlReader& r, const toml::table* t, const std::filesystem::path& data_dir,
                             ReceiptQrConfig& out);
void read_api_section(TomlReader& r, const toml::table& t, const std::filesystem::path& data_dir, ApiConfig& out);
// `base` resolves secret_file and ca_bundle (paths.data in the main configuration).
void read_upload_section(TomlReader& r, const toml::table& t, const std::filesystem::path& base, UploadConfig& out);
// `base` resolves secret_file and ca_bundle of [reminder.sms] (paths.data).
void read_reminder_section(TomlReader& r, const toml::table& t, const std::filesystem::path& base, ReminderConfig& out);

}  // namespace hcp::detail
