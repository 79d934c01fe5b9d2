// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/profile_decoder.hpp>

#include <provstation/phonesim/flat_profile.hpp>

#include <openssl/evp.h>
#include <zlib.h>

#include <array>
#include <cctype>
#include <cstring>
#include <memory>

namespace provstation::phonesim {

namespace {

constexpr std::string_view salted_magic = "Salted__";
constexpr std::size_t salt_bytes = 8;

bool is_gzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

bool is_salted(std::string_view data) {
  return data.substr(0, salted_magic.size()) == salted_magic;
}

// An XML profile starts, after an optional UTF-8 BOM and white space, with '<'.
bool looks_like_xml(std::string_view data) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  while (!data.empty() && std::isspace(static_cast<unsigned char>(data.front())) != 0)
    data.remove_prefix(1);
  return !data.empty() && data.front() == '<';
}

result<std::string> gunzip(std::string_view data) {
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header, as the phones do.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return make_error("zlib initialisation failed");
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&zs, &inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  std::array<char, 16384> buf{};
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - zs.avail_out);
    if (out.size() > max_profile_bytes) return make_error("decompressed profile is too large");
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK) return make_error("corrupt gzip data");
    if (zs.avail_in == 0 && zs.avail_out != 0) return make_error("truncated gzip data");
  }
  return out;
}

std::optional<std::string> aes_decrypt(std::string_view data, const std::string& key,
                                       const EVP_MD* md) {
  const auto* salt = reinterpret_cast<const unsigned char*>(data.data() + salted_magic.size());
  const std::string_view body = data.substr(salted_magic.size() + salt_bytes);
  std::array<unsigned char, 32> k{};
  std::array<unsigned char, 16> iv{};
  const EVP_CIPHER* cipher = EVP_aes_256_cbc();
  if (EVP_BytesToKey(cipher, md, salt, reinterpret_cast<const unsigned char*>(key.data()),
                     static_cast<int>(key.size()), 1, k.data(), iv.data()) != 32) {
    return std::nullopt;
  }
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, k.data(), iv.data()) != 1)
    return std::nullopt;
  std::string out(body.size() + 32, '\0');
  int len1 = 0;
  int len2 = 0;
  if (EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len1,
                        reinterpret_cast<const unsigned char*>(body.data()),
                        static_cast<int>(body.size())) != 1) {
    return std::nullopt;
  }
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len1, &len2) !=
      1) {
    return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(len1 + len2));
  return out;
}

}  // namespace

result<decoded_profile> decode_profile(std::string_view data,
                                       const std::optional<std::string>& key) {
  if (data.size() > max_profile_bytes) return make_error("profile is too large");
  decoded_profile out;
  std::string plain;
  if (is_salted(data)) {
    if (!key) return make_error("profile is encrypted and the rule has no --key");
    if (data.size() < salted_magic.size() + salt_bytes + 16 ||
        (data.size() - salted_magic.size() - salt_bytes) % 16 != 0) {
      return make_error("encrypted profile has a bad length");
    }
    out.was_encrypted = true;
    // A wrong key passes the padding check about once in 256 tries, so the plaintext must
    // also look like gzip or XML before a digest is believed.
    for (const auto& [md, name] :
         {std::pair{EVP_md5(), "md5"}, std::pair{EVP_sha256(), "sha256"}}) {
      auto decrypted = aes_decrypt(data, *key, md);
      if (decrypted && (is_gzip(*decrypted) || looks_like_xml(*decrypted))) {
        plain = std::move(*decrypted);
        out.key_digest = name;
        break;
      }
    }
    if (out.key_digest.empty()) return make_error("bad decrypt (wrong key?)");
  } else {
    plain = std::string(data);
  }
  if (is_gzip(plain)) {
    auto inflated = gunzip(plain);
    if (!inflated) return inflated.err();
    plain = std::move(*inflated);
    out.was_compressed = true;
  }
  if (!looks_like_xml(plain))
    return make_error("not an XML profile (SPC binary or unknown format)");
  out.xml = std::move(plain);
  return out;
}

}  // namespace provstation::phonesim
