// SPDX-License-Identifier: Apache-2.0
#pragma once

// A thin RAII layer over the SQLite C API, private to the store.

#include <provstation/store.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace provstation::detail {

/// @brief A prepared statement; reset and cleared bindings on each use.
class statement {
 public:
  statement(sqlite3* db, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int index, std::int64_t value);
  statement& bind(int index, std::string_view value);
  statement& bind_null(int index);
  /// @brief Steps once; true when a row is available.
  bool step();
  /// @brief Steps until done (for statements that return no rows).
  void run();
  void reset();

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// @brief The connection plus a cache of prepared statements keyed by their SQL text.
class connection {
 public:
  connection() = default;
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void open(const std::string& path, int flags);
  void exec(std::string_view sql);
  /// @brief A cached statement, reset and ready to bind.
  statement& prepare(std::string_view sql);
  sqlite3* handle() const { return db_; }
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<statement>> cache_;
};

}  // namespace provstation::detail
