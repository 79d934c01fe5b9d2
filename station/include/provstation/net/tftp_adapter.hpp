// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/phone_files.hpp>
#include <provstation/tftpd/file_source.hpp>
#include <provstation/tftpd/transfer_observer.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>

namespace provstation {

/// @brief Connects the TFTP server to the station: answers opens from phone_files (waiting up
/// to `lease_wait` for the lease of an unknown client) and turns transfer events into evidence.
class tftp_adapter final : public tftpd::file_source, public tftpd::transfer_observer {
 public:
  tftp_adapter(boost::asio::any_io_executor ex, phone_files& files,
               std::chrono::milliseconds lease_wait = std::chrono::seconds(2));

  void async_open(const tftpd::open_request& request, tftpd::open_handler done) override;

  void on_started(const tftpd::transfer_info& info) override;
  void on_progress(const tftpd::transfer_info& info, std::uint64_t bytes_acked) override;
  void on_completed(const tftpd::transfer_info& info, tftpd::completion how,
                    std::chrono::nanoseconds duration) override;
  void on_failed(const tftpd::transfer_info& info, std::uint64_t bytes_acked,
                 const std::string& reason) override;

 private:
  void try_open(std::string path, std::string ip, std::chrono::steady_clock::time_point deadline,
                tftpd::open_handler done);
  phone_answer answer_for(const tftpd::transfer_info& info) const;

  boost::asio::any_io_executor ex_;
  phone_files& files_;
  std::chrono::milliseconds lease_wait_;
};

}  // namespace provstation
