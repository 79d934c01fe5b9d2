// SPDX-License-Identifier: Apache-2.0
/// @file Tests of in-process decoding: limits on hostile input, and symbols drawn in memory.
#include <provstation/scanner/image_decoder.hpp>

#include <gtest/gtest.h>

#define ZX_USE_UTF8
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <cstdint>
#include <string>
#include <vector>

namespace provstation::scanner {
namespace {

std::vector<std::byte> bytes_of(const std::string& s) {
  std::vector<std::byte> out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = static_cast<std::byte>(s[i]);
  return out;
}

// A PNG signature and IHDR chunk claiming the given size (no pixel data).
std::string png_header(std::uint32_t w, std::uint32_t h) {
  std::string s("\x89PNG\r\n\x1a\n", 8);
  s += std::string("\0\0\0\x0d", 4) + "IHDR";
  for (std::uint32_t v : {w, h}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      s.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  s += std::string("\x08\x00\x00\x00\x00", 5) + std::string("\0\0\0\0", 4);
  return s;
}

// A grey image of `text` as a Code 128 (or another format) symbol, `scale` px per module, with
// a white margin.
std::vector<std::uint8_t> draw(ZXing::BarcodeFormat format, const std::string& text, int scale,
                               int& width, int& height) {
  const ZXing::BitMatrix m = ZXing::MultiFormatWriter(format).setMargin(0).encode(text, 0, 0);
  const int margin = 12 * scale;
  const int bar_height = format == ZXing::BarcodeFormat::Code128 ? 40 : m.height();
  width = m.width() * scale + 2 * margin;
  height = bar_height * scale + 2 * margin;
  std::vector<std::uint8_t> px(static_cast<std::size_t>(width) * height, 255);
  for (int y = 0; y < bar_height * scale; ++y) {
    for (int x = 0; x < m.width() * scale; ++x) {
      const int my = format == ZXing::BarcodeFormat::Code128 ? 0 : y / scale;
      if (m.get(x / scale, my)) px[static_cast<std::size_t>(y + margin) * width + x + margin] = 0;
    }
  }
  return px;
}

// Verify that files that are not images, or claim to be huge, are refused before decoding.
TEST(ImageDecoder, RejectsHostileImages) {
  EXPECT_EQ(decode_image_bytes({}).message(), "image is empty");
  EXPECT_EQ(decode_image_bytes(bytes_of("not an image at all")).message(),
            "not a readable image (unknown image type)");
  EXPECT_EQ(decode_image_bytes(bytes_of(png_header(20000, 20000))).message(),
            "image is too large (20000x20000 pixels; the limit is 16384x16384 and 50000000 "
            "pixels)");
  EXPECT_EQ(decode_image_bytes(bytes_of(png_header(8000, 8000))).message(),
            "image is too large (8000x8000 pixels; the limit is 16384x16384 and 50000000 "
            "pixels)");
  // Within the limits, but the pixel data is missing.
  EXPECT_EQ(decode_image_bytes(bytes_of(png_header(64, 64))).message().substr(0, 22),
            "could not read image (");
  decode_options small;
  small.limits.max_file_bytes = 10;
  EXPECT_EQ(decode_image_bytes(bytes_of(png_header(64, 64)), small).message(),
            "image is larger than 10 bytes");
  EXPECT_EQ(decode_image_file("/nonexistent/label.png").message(),
            "cannot open /nonexistent/label.png");
}

// Verify the checks on frames passed in memory.
TEST(ImageDecoder, RejectsInconsistentFrames) {
  std::vector<std::uint8_t> px(100, 255);
  EXPECT_EQ(decode_luma(luma_view{nullptr, 10, 10, 10, 1}).message(), "image is empty");
  EXPECT_EQ(decode_luma(luma_view{px.data(), 0, 10, 10, 1}).message(), "image has no pixels");
  EXPECT_EQ(decode_luma(luma_view{px.data(), 10, 10, 5, 1}).message(),
            "image strides are inconsistent");
  EXPECT_EQ(decode_luma(luma_view{px.data(), 10, 10, 0, 0}).message(),
            "image strides are inconsistent");
  auto none = decode_luma(luma_view{px.data(), 10, 10, 10, 1});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// Verify that grey frames (packed, and YUYV-style with 2 bytes per pixel) are decoded.
TEST(ImageDecoder, DecodesFramesInMemory) {
  int w = 0;
  int h = 0;
  const auto px = draw(ZXing::BarcodeFormat::Code128, "CCQ17410ABC", 3, w, h);
  decode_stats stats;
  auto codes = decode_luma(luma_view{px.data(), w, h, 0, 1}, {}, &stats);
  ASSERT_TRUE(codes.ok()) << codes.message();
  ASSERT_EQ(codes->size(), 1u);
  EXPECT_EQ((*codes)[0].text, "CCQ17410ABC");
  EXPECT_EQ((*codes)[0].symbology, "]C0");
  EXPECT_EQ((*codes)[0].format, "Code128");
  EXPECT_EQ((*codes)[0].aim_text(), "]C0CCQ17410ABC");
  EXPECT_EQ(stats.width, w);
  EXPECT_FALSE(stats.passes.empty());

  std::vector<std::uint8_t> yuyv(px.size() * 2, 128);
  for (std::size_t i = 0; i < px.size(); ++i) yuyv[2 * i] = px[i];
  auto from_yuyv = decode_luma(luma_view{yuyv.data(), w, h, 2 * w, 2});
  ASSERT_TRUE(from_yuyv.ok());
  ASSERT_EQ(from_yuyv->size(), 1u);
  EXPECT_EQ((*from_yuyv)[0].text, "CCQ17410ABC");

  auto qr_px =
      draw(ZXing::BarcodeFormat::QRCode, "PID:SPA525G2;SN:CCQ17410ABC;MAC:0023AB1C2D3E", 4, w, h);
  auto qr = decode_luma(luma_view{qr_px.data(), w, h, 0, 1});
  ASSERT_TRUE(qr.ok());
  ASSERT_EQ(qr->size(), 1u);
  EXPECT_EQ((*qr)[0].symbology, "]Q1");
  EXPECT_EQ((*qr)[0].text, "PID:SPA525G2;SN:CCQ17410ABC;MAC:0023AB1C2D3E");
}

}  // namespace
}  // namespace provstation::scanner
