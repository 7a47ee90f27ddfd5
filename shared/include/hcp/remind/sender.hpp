#pragma once
// Delivering the reminders of the reminder book (hcp/store/unrated.hpp, docs/reminders.md)
// through the hall's channel: the platform (POST {upload.base_url}/v1/reminders, signed like an
// upload) or an SMS gateway described as data ([reminder.sms]). call_list sends nothing.
//
// Contracts:
// - A channel's send() never throws; it classifies what happened (SendCause). Nothing personal
//   (the phone, the name) is ever put in `detail`.
// - deliver_due_reminders claims one due row at a time, marks it sent only after the channel
//   accepted it, and stops at the first failure that says the channel is down (the next pass
//   tries again), so a dead gateway costs one timeout per pass, not one per reminder.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hcp/base/crypto.hpp"
#include "hcp/base/time.hpp"
#include "hcp/config/config.hpp"
#include "hcp/store/unrated.hpp"

namespace hcp {

struct ReminderMessage {
    std::string reminder_id;  // the book's id: the channel's idempotency key
    std::string case_no;
    std::string phone;  // personal: only in the request to the channel
    std::string hall_name, hall_code;
    std::string item_name;
    std::string url;   // the case's rating URL, empty when the hub issues none
    std::string text;  // [reminder].text with its placeholders filled
    TimePoint due_at{};
};

enum class SendCause {
    accepted,  // the channel took it
    retry,     // it was certainly not sent (no connection, 5xx, 429): try again later
    unknown,   // it may have been sent (a timeout or a cut after the request went out)
    refused,   // the channel refused it for good (4xx, a gateway's error code)
};
std::string_view to_string(SendCause c) noexcept;

struct SendResult {
    SendCause cause = SendCause::retry;
    std::string detail;  // for the log and the reminder's last_error; never personal data
};

class ReminderChannel {
public:
    virtual ~ReminderChannel() = default;
    virtual SendResult send(const ReminderMessage& message) = 0;
    // True when the receiver drops a second message with the same reminder_id: an unknown
    // outcome is then retried instead of left for a person to check.
    virtual bool idempotent() const noexcept = 0;
};

// Throws Error(Errc::key_invalid) when [reminder.sms].secret_file is needed and unusable.
std::unique_ptr<ReminderChannel> make_sms_channel(const SmsGatewayConfig& config);
// `device_id`: the hub's, named in X-Hcp-Device and the body like an upload's.
std::unique_ptr<ReminderChannel> make_platform_channel(const UploadConfig& upload, SecretKey hall_secret,
                                                       std::string hall_code, std::string device_id);

// Fills the {placeholders} of a template ({{ and }} are literal braces); each value escaped by
// `escape` (JSON string, form field or none). `secret` fills {secret} (signing templates only).
enum class TemplateEscape { none, json, form };
std::string render_reminder_template(std::string_view tmpl, const ReminderMessage& m, TemplateEscape escape,
                                     const std::string& app_key, const std::string& timestamp, const std::string& nonce,
                                     const std::string& sign, const std::string* secret = nullptr);

struct ReminderDelivery {
    int sent = 0;
    int retried = 0;
    int failed = 0;
    int unknown = 0;
    int no_phone = 0;
    std::vector<std::string> errors;  // "case_no: detail"
};

// `compose` turns a claimed row into its message (the phone from the case); nullopt: the case
// has no phone (the row becomes no_phone) or is gone.
ReminderDelivery deliver_due_reminders(ReminderBook& book, ReminderChannel& channel, ReminderChannelKind kind,
                                       const ReminderConfig& config,
                                       const std::function<std::optional<ReminderMessage>(const ReminderRow&)>& compose,
                                       TimePoint now, int max_per_pass = 200);

}  // namespace hcp
