// Printer transport addresses ([printer].transport), parsed without touching any device.
#include "hcp/config/transport_spec.hpp"

#include "hcp/base/error.hpp"

namespace hcp {

TransportSpec parse_transport(const std::string& text) {
    const auto colon = text.find(':');
    const std::string help = "printer transport '" + text +
                             "' must be file:PATH, tcp:HOST[:PORT], device:/dev/usb/lpN, "
                             "serial:/dev/ttyX[@BAUD][,xonxoff] or cups:QUEUE";
    if (colon == std::string::npos || colon + 1 >= text.size()) throw Error(Errc::invalid_argument, help);
    const std::string kind = text.substr(0, colon);
    std::string rest = text.substr(colon + 1);
    TransportSpec s;
    if (kind == "file") {
        s.kind = TransportSpec::Kind::file;
    } else if (kind == "tcp") {
        s.kind = TransportSpec::Kind::tcp;
        if (const auto c = rest.rfind(':'); c != std::string::npos) {
            const std::string port = rest.substr(c + 1);
            if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
                throw Error(Errc::invalid_argument, help);
            s.port = std::stoi(port);
            if (s.port < 1 || s.port > 65535) throw Error(Errc::invalid_argument, help);
            rest = rest.substr(0, c);
        }
    } else if (kind == "device") {
        s.kind = TransportSpec::Kind::device;
    } else if (kind == "serial") {
        s.kind = TransportSpec::Kind::serial;
        if (const auto c = rest.find(",xonxoff"); c != std::string::npos) {
            s.rtscts = false;
            rest = rest.substr(0, c);
        }
        if (const auto a = rest.find('@'); a != std::string::npos) {
            const std::string baud = rest.substr(a + 1);
            if (baud != "9600" && baud != "19200" && baud != "38400" && baud != "57600" && baud != "115200")
                throw Error(Errc::invalid_argument, help + " (baud 9600, 19200, 38400, 57600 or 115200)");
            s.baud = std::stoi(baud);
            rest = rest.substr(0, a);
        }
    } else if (kind == "cups") {
        s.kind = TransportSpec::Kind::cups;
        if (rest.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.") !=
            std::string::npos)
            throw Error(Errc::invalid_argument, help + " (queue names: letters, digits, _ - .)");
    } else {
        throw Error(Errc::invalid_argument, help);
    }
    if (rest.empty()) throw Error(Errc::invalid_argument, help);
    s.target = rest;
    return s;
}

}  // namespace hcp
