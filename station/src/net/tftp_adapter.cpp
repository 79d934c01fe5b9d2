// SPDX-License-Identifier: Apache-2.0
#include <provstation/net/tftp_adapter.hpp>

#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace provstation {

namespace {

// A rendered profile or a mapped firmware image, as the TFTP server reads it.
class payload_readable final : public tftpd::readable {
 public:
  explicit payload_readable(std::shared_ptr<const payload> p) : p_(std::move(p)) {}
  std::uint64_t size() const override { return p_->bytes().size(); }
  std::size_t read(std::uint64_t offset, std::span<std::byte> out) const override {
    const auto bytes = p_->bytes();
    if (offset >= bytes.size()) return 0;
    const std::size_t n = std::min<std::size_t>(out.size(), bytes.size() - offset);
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), n, out.begin());
    return n;
  }
  std::span<const std::byte> contiguous() const override { return p_->bytes(); }

 private:
  std::shared_ptr<const payload> p_;
};

}  // namespace

tftp_adapter::tftp_adapter(boost::asio::any_io_executor ex, phone_files& files,
                           std::chrono::milliseconds lease_wait)
    : ex_(std::move(ex)), files_(files), lease_wait_(lease_wait) {}

void tftp_adapter::async_open(const tftpd::open_request& request, tftpd::open_handler done) {
  try_open(request.path, request.client.address().to_string(),
           std::chrono::steady_clock::now() + lease_wait_, std::move(done));
}

void tftp_adapter::try_open(std::string path, std::string ip,
                            std::chrono::steady_clock::time_point deadline,
                            tftpd::open_handler done) {
  const bool final_attempt = std::chrono::steady_clock::now() >= deadline;
  phone_answer a = files_.resolve(path, ip, {}, final_attempt);
  if (a.st == phone_answer::status::unknown_client) {
    // The lease event is usually milliseconds behind the phone's first request: ask again soon.
    auto timer = std::make_shared<boost::asio::steady_timer>(ex_, std::chrono::milliseconds(10));
    timer->async_wait([this, timer, path = std::move(path), ip = std::move(ip), deadline,
                       done = std::move(done)](const boost::system::error_code& ec) mutable {
      if (ec) {
        done(tftpd::open_result{nullptr, tftpd::error_code::not_defined, "shutting down"});
        return;
      }
      try_open(std::move(path), std::move(ip), deadline, std::move(done));
    });
    return;
  }
  tftpd::open_result r;
  switch (a.st) {
    case phone_answer::status::ok:
      r.file = std::make_shared<payload_readable>(a.body);
      break;
    case phone_answer::status::forbidden:
      r.code = tftpd::error_code::access_violation;
      r.message = "access violation";
      files_.refused(a, ip, path);
      break;
    default:
      r.code = tftpd::error_code::file_not_found;
      r.message = "file not found";
      files_.refused(a, ip, path);
      break;
  }
  done(std::move(r));
}

phone_answer tftp_adapter::answer_for(const tftpd::transfer_info& info) const {
  // Stateless: the path and the client's address say which unit a transfer was for.
  phone_answer a;
  a.path = classify_path(info.path);
  if (a.path.what == profile_path::kind::device) {
    if (auto mac = mac_address::parse(a.path.mac)) a.mac = *mac;
  } else {
    a.mac = files_.holder(info.client.address().to_string());
  }
  return a;
}

void tftp_adapter::on_started(const tftpd::transfer_info& info) {
  const auto a = answer_for(info);
  files_.started(a, info.client.address().to_string(), info.size);
}

void tftp_adapter::on_progress(const tftpd::transfer_info& info, std::uint64_t bytes_acked) {
  files_.progress(answer_for(info), bytes_acked, info.size);
}

void tftp_adapter::on_completed(const tftpd::transfer_info& info, tftpd::completion how,
                                std::chrono::nanoseconds) {
  files_.delivered(answer_for(info), info.client.address().to_string(), {},
                   how == tftpd::completion::confirmed, info.size);
}

void tftp_adapter::on_failed(const tftpd::transfer_info& info, std::uint64_t,
                             const std::string& reason) {
  files_.failed(answer_for(info), info.client.address().to_string(), reason);
}

}  // namespace provstation
