#pragma once
// How a hall's reminders of unrated cases leave the hub ([reminder].channel, docs/reminders.md).
#include <optional>
#include <string_view>

namespace hcp {

enum class ReminderChannelKind {
    platform,   // the provincial platform sends the SMS (POST …/v1/reminders, upload protocol)
    sms,        // an SMS gateway over HTTP(S), described as data ([reminder.sms])
    call_list,  // nobody sends anything: a list of citizens to call (hcpctl reminders)
};
std::string_view to_string(ReminderChannelKind c) noexcept;  // "platform", "sms", "call_list"
std::optional<ReminderChannelKind> parse_reminder_channel(std::string_view s) noexcept;

}  // namespace hcp
