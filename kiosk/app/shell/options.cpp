#include "shell/asset_paths.hpp"
#include "shell/options.hpp"

#include <stdexcept>

namespace hcp::ui {

std::string usage() {
    return "usage: hcp-kiosk [--config FILE] [--headless] [--script FILE] [--shots DIR]\n"
           "                 [--size WxH] [--windowed] [--lang zh_CN|en] [--large-text]\n"
           "                 [--timeout-seconds N] [--role rater|selfservice|display|ticket] [--stats]\n"
           "                 [--link local|remote|demo] [--data-dir DIR] [--no-upload]\n"
           "       hcp-kiosk [--config FILE] --voice-wav FILE TEXT   (the hall display's voice into a WAV)\n";
}

Options parse_options(const std::vector<std::string>& args) {
    Options o;
    o.config = default_config_file();
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
            return args[++i];
        };
        if (a == "--config") o.config = value();
        else if (a == "--headless") o.headless = true;
        else if (a == "--script") o.script = value();
        else if (a == "--shots") o.shots = value();
        else if (a == "--windowed") o.windowed = true;
        else if (a == "--large-text") o.large_text = true;
        else if (a == "--stats") o.stats = true;
        else if (a == "--help" || a == "-h") o.help = true;
        else if (a == "--data-dir") o.data_dir = value();
        else if (a == "--no-upload") o.no_upload = true;
        else if (a == "--link") {
            o.link = value();
            if (*o.link != "local" && *o.link != "remote" && *o.link != "demo")
                throw std::runtime_error("--link must be local, remote or demo");
        } else if (a == "--lang") {
            o.lang = value();
            if (o.lang != "zh_CN" && o.lang != "en") throw std::runtime_error("--lang must be zh_CN or en");
        } else if (a == "--role") {
            o.role = value();
            if (*o.role != "rater" && *o.role != "selfservice" && *o.role != "display" && *o.role != "ticket")
                throw std::runtime_error("--role must be rater, selfservice, display or ticket");
        } else if (a == "--voice-wav") {
            o.voice_wav = value();
            o.voice_text = value();
        } else if (a == "--timeout-seconds") {
            const int n = std::stoi(value());
            if (n < 1 || n > 3600) throw std::runtime_error("--timeout-seconds must be 1..3600");
            o.timeout_seconds = n;
        } else if (a == "--size") {
            const std::string& v = value();
            const auto x = v.find('x');
            if (x == std::string::npos) throw std::runtime_error("--size must be WxH, e.g. 1920x1080");
            o.width = std::stoi(v.substr(0, x));
            o.height = std::stoi(v.substr(x + 1));
            if (o.width < 320 || o.height < 240 || o.width > 8192 || o.height > 8192)
                throw std::runtime_error("--size out of range");
        } else {
            throw std::runtime_error("unknown option " + a);
        }
    }
    return o;
}

}  // namespace hcp::ui
