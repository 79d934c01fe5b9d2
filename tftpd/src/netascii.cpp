// SPDX-License-Identifier: Apache-2.0
#include <provstation/tftpd/netascii.hpp>

namespace provstation::tftpd {

namespace {

constexpr std::byte cr{'\r'};
constexpr std::byte lf{'\n'};
constexpr std::byte nul{0};

}  // namespace

std::vector<std::byte> encode_netascii(std::span<const std::byte> local) {
  std::vector<std::byte> out;
  out.reserve(local.size() + local.size() / 16 + 16);
  for (const std::byte b : local) {
    if (b == lf) {
      out.push_back(cr);
      out.push_back(lf);
    } else if (b == cr) {
      out.push_back(cr);
      out.push_back(nul);
    } else {
      out.push_back(b);
    }
  }
  return out;
}

void netascii_decoder::decode(std::span<const std::byte> in, std::vector<std::byte>& out) {
  for (const std::byte b : in) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (b == lf) {
        out.push_back(lf);
        continue;
      }
      if (b == nul) {
        out.push_back(cr);
        continue;
      }
      // A CR followed by anything else is not valid netascii; keep both bytes.
      out.push_back(cr);
    }
    if (b == cr) {
      pending_cr_ = true;
    } else {
      out.push_back(b);
    }
  }
}

void netascii_decoder::finish(std::vector<std::byte>& out) {
  if (pending_cr_) out.push_back(cr);
  pending_cr_ = false;
}

}  // namespace provstation::tftpd
