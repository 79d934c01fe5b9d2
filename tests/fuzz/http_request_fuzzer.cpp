// SPDX-License-Identifier: Apache-2.0
// Fuzzes HTTP request bytes as a session parses them: Beast's parser with the session's limits,
// then the target split and decode every router relies on.
#include <provstation/web/http_types.hpp>

#include <boost/beast/http.hpp>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && parser.is_header_done()) {
    std::string path;
    std::map<std::string, std::string, std::less<>> query;
    provstation::web::split_target(std::string(parser.get().target()), path, query);
  }
  return 0;
}
