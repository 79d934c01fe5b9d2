// SPDX-License-Identifier: Apache-2.0
/// @file Tests of profile decoding: plain XML, gzip, OpenSSL-salted AES-256-CBC (MD5 and
/// SHA-256 key derivation). The test encrypts and compresses with OpenSSL and zlib directly.
#include <provstation/phonesim/profile_decoder.hpp>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <array>

namespace provstation::phonesim {
namespace {

const std::string xml = "<flat-profile><GPP_A>secret</GPP_A></flat-profile>\n";

// What `openssl enc -aes-256-cbc -k <key> [-md md5|sha256]` writes.
std::string openssl_enc(const std::string& plain, const std::string& key, const EVP_MD* md) {
  const std::array<unsigned char, 8> salt = {1, 2, 3, 4, 5, 6, 7, 8};
  std::array<unsigned char, 32> k{};
  std::array<unsigned char, 16> iv{};
  EVP_BytesToKey(EVP_aes_256_cbc(), md, salt.data(),
                 reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size()),
                 1, k.data(), iv.data());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, k.data(), iv.data());
  std::string out(plain.size() + 32, '\0');
  int n1 = 0;
  int n2 = 0;
  EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &n1,
                    reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + n1, &n2);
  EVP_CIPHER_CTX_free(ctx);
  out.resize(static_cast<std::size_t>(n1 + n2));
  return "Salted__" + std::string(reinterpret_cast<const char*>(salt.data()), salt.size()) + out;
}

std::string gzip(const std::string& plain) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(static_cast<uLong>(plain.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Verify that undecodable inputs are refused with a reason.
TEST(PhonesimProfileDecoder, RejectsUndecodableInput) {
  EXPECT_EQ(decode_profile("\x01\x02SPC binary", std::nullopt).message(),
            "not an XML profile (SPC binary or unknown format)");
  EXPECT_EQ(decode_profile("", std::nullopt).message(),
            "not an XML profile (SPC binary or unknown format)");
  const std::string enc = openssl_enc(xml, "right", EVP_md5());
  EXPECT_EQ(decode_profile(enc, std::nullopt).message(),
            "profile is encrypted and the rule has no --key");
  EXPECT_EQ(decode_profile(enc, std::string("wrong")).message(), "bad decrypt (wrong key?)");
  EXPECT_EQ(decode_profile(enc.substr(0, enc.size() - 3), std::string("right")).message(),
            "encrypted profile has a bad length");
  EXPECT_EQ(decode_profile(gzip(xml).substr(0, 12), std::nullopt).message(), "truncated gzip data");
  std::string bad = gzip(xml);
  bad[12] = static_cast<char>(bad[12] ^ 0x55);
  EXPECT_FALSE(decode_profile(bad, std::nullopt).ok());
}

// Verify that plain XML passes through, with or without a BOM and leading space.
TEST(PhonesimProfileDecoder, PassesPlainXml) {
  auto out = decode_profile("\xEF\xBB\xBF  " + xml, std::nullopt);
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_FALSE(out->was_encrypted);
  EXPECT_FALSE(out->was_compressed);
}

// Verify gzip, decided by the header, not the name.
TEST(PhonesimProfileDecoder, InflatesGzip) {
  auto out = decode_profile(gzip(xml), std::nullopt);
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(out->xml, xml);
  EXPECT_TRUE(out->was_compressed);
}

// Verify AES-256-CBC with MD5 (OpenSSL 0.9.7) and SHA-256 (OpenSSL >= 1.1) key derivation,
// with and without compression (compress first, then encrypt).
TEST(PhonesimProfileDecoder, DecryptsSaltedAesWithBothDigests) {
  for (const auto& [md, name] : {std::pair{EVP_md5(), "md5"}, std::pair{EVP_sha256(), "sha256"}}) {
    auto out =
        decode_profile(openssl_enc(xml, "SecretPhrase1234", md), std::string("SecretPhrase1234"));
    ASSERT_TRUE(out.ok()) << name << ": " << out.message();
    EXPECT_EQ(out->xml, xml);
    EXPECT_EQ(out->key_digest, name);
    auto zipped = decode_profile(openssl_enc(gzip(xml), "k", md), std::string("k"));
    ASSERT_TRUE(zipped.ok()) << zipped.message();
    EXPECT_EQ(zipped->xml, xml);
    EXPECT_TRUE(zipped->was_compressed);
    EXPECT_TRUE(zipped->was_encrypted);
  }
}

}  // namespace
}  // namespace provstation::phonesim
