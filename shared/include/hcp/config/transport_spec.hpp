#pragma once
// Where a printer is reached, as written in [printer].transport. Pure parsing, no I/O: the
// configuration validates it once; the printer layer (printer/transport.hpp) opens it.
#include <string>

namespace hcp {

struct TransportSpec {
    enum class Kind { file, tcp, device, serial, cups } kind = Kind::file;
    std::string target;  // file path, host, device path, serial path, CUPS queue
    int port = 9100;     // tcp
    int baud = 9600;     // serial: 9600, 19200, 38400, 57600, 115200
    bool rtscts = true;  // serial hardware flow control (XON/XOFF otherwise)
};

// Parses "file:PATH", "tcp:HOST[:PORT]", "device:/dev/usb/lp0", "serial:/dev/ttyS0[@BAUD][,xonxoff]",
// "cups:QUEUE". Throws hcp::Error(Errc::invalid_argument) saying what is allowed.
TransportSpec parse_transport(const std::string& text);

}  // namespace hcp
