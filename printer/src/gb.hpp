#pragma once
// UTF-32 ↔ GB18030/GBK/GB2312 through glibc iconv (private to libhcp_printer).
#include <iconv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hcp::printer::detail {

class Iconv {
public:
    Iconv(const char* to, const char* from);
    ~Iconv();
    Iconv(const Iconv&) = delete;
    Iconv& operator=(const Iconv&) = delete;
    // Converts one buffer; false when any input cannot be represented.
    bool convert(const std::uint8_t* in, size_t size, std::vector<std::uint8_t>& out);

private:
    iconv_t m_cd;
};

// The bytes of one code point in `charset` ("GB18030", "GBK", "GB2312"); empty when it has none.
std::vector<std::uint8_t> encode_cp(Iconv& cv, char32_t cp);

}  // namespace hcp::printer::detail
