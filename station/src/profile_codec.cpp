// SPDX-License-Identifier: Apache-2.0
#include <provstation/profile_codec.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace provstation {

std::string gzip_compress(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16 asks zlib for a gzip header and trailer.
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  out.resize(zs.total_out);
  return out;
}

namespace {

const EVP_MD* md_for(key_digest d) {
  return d == key_digest::md5 ? EVP_md5() : EVP_sha256();
}

struct ctx_deleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

std::string run_cipher(bool encrypt, std::string_view input, const unsigned char* key,
                       const unsigned char* iv) {
  std::unique_ptr<EVP_CIPHER_CTX, ctx_deleter> ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key, iv, encrypt ? 1 : 0) != 1) {
    throw std::runtime_error("cipher init failed");
  }
  std::string out(input.size() + 32, '\0');
  int n1 = 0;
  int n2 = 0;
  if (EVP_CipherUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n1,
                       reinterpret_cast<const unsigned char*>(input.data()),
                       static_cast<int>(input.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n1, &n2) != 1) {
    throw std::invalid_argument("bad decrypt");
  }
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

}  // namespace

std::string encrypt_profile(std::string_view plaintext, std::string_view key_text,
                            key_digest digest) {
  std::array<unsigned char, 8> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    throw std::runtime_error("no randomness for the salt");
  }
  std::array<unsigned char, 32> key{};
  std::array<unsigned char, 16> iv{};
  EVP_BytesToKey(EVP_aes_256_cbc(), md_for(digest), salt.data(),
                 reinterpret_cast<const unsigned char*>(key_text.data()),
                 static_cast<int>(key_text.size()), 1, key.data(), iv.data());
  std::string out = "Salted__";
  out.append(reinterpret_cast<const char*>(salt.data()), salt.size());
  out += run_cipher(true, plaintext, key.data(), iv.data());
  return out;
}

result<std::string> decrypt_profile(std::string_view ciphertext, std::string_view key_text,
                                    key_digest digest) {
  if (ciphertext.size() < 16 + 16 || ciphertext.substr(0, 8) != "Salted__") {
    return make_error("not an OpenSSL salted file");
  }
  std::array<unsigned char, 32> key{};
  std::array<unsigned char, 16> iv{};
  EVP_BytesToKey(EVP_aes_256_cbc(), md_for(digest),
                 reinterpret_cast<const unsigned char*>(ciphertext.data() + 8),
                 reinterpret_cast<const unsigned char*>(key_text.data()),
                 static_cast<int>(key_text.size()), 1, key.data(), iv.data());
  try {
    return run_cipher(false, ciphertext.substr(16), key.data(), iv.data());
  } catch (const std::exception&) {
    return make_error("bad decrypt (wrong key or digest)");
  }
}

}  // namespace provstation
