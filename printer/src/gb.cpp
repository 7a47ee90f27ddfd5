#include "gb.hpp"

#include "hcp/base/error.hpp"

namespace hcp::printer::detail {

Iconv::Iconv(const char* to, const char* from) : m_cd(iconv_open(to, from)) {
    if (m_cd == reinterpret_cast<iconv_t>(-1))  // NOLINT: iconv's documented failure value
        throw Error(Errc::io_failure, std::string("printer: iconv cannot convert ") + from + " to " + to);
}

Iconv::~Iconv() {
    iconv_close(m_cd);
}

bool Iconv::convert(const std::uint8_t* in, size_t size, std::vector<std::uint8_t>& out) {
    iconv(m_cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state
    out.assign(size * 4 + 8, 0);
    auto* inp = const_cast<char*>(reinterpret_cast<const char*>(in));  // iconv's C signature
    size_t inleft = size;
    auto* outp = reinterpret_cast<char*>(out.data());
    size_t outleft = out.size();
    if (iconv(m_cd, &inp, &inleft, &outp, &outleft) == static_cast<size_t>(-1)) return false;
    out.resize(out.size() - outleft);
    return inleft == 0;
}

std::vector<std::uint8_t> encode_cp(Iconv& cv, char32_t cp) {
    const std::uint8_t in[4] = {static_cast<std::uint8_t>(cp & 0xFFU), static_cast<std::uint8_t>((cp >> 8) & 0xFFU),
                                static_cast<std::uint8_t>((cp >> 16) & 0xFFU), static_cast<std::uint8_t>(cp >> 24)};
    std::vector<std::uint8_t> out;
    if (!cv.convert(in, 4, out)) return {};
    return out;
}

}  // namespace hcp::printer::detail
