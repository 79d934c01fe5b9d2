// SPDX-License-Identifier: Apache-2.0
/// @file Checks that the hand-written message table matches the .mes catalogue exactly.
#include "provstation_hook_messages.h"

#include <log/message_dictionary.h>
#include <log/message_initializer.h>

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace provstation::kea {
namespace {

std::map<std::string, std::string> read_mes() {
  std::ifstream in(PROVSTATION_HOOK_MES_FILE);
  EXPECT_TRUE(in) << PROVSTATION_HOOK_MES_FILE;
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("% ", 0) != 0) continue;
    const std::size_t space = line.find(' ', 2);
    EXPECT_NE(space, std::string::npos) << line;
    const std::string id = line.substr(2, space - 2);
    EXPECT_FALSE(out.contains(id)) << "duplicate " << id;
    out[id] = line.substr(space + 1);
  }
  return out;
}

std::map<std::string, std::string> read_table() {
  std::map<std::string, std::string> out;
  const char* const* t = message_table();
  for (; t[0] != nullptr; t += 2) {
    EXPECT_NE(t[1], nullptr);
    out[t[0]] = t[1];
  }
  return out;
}

// Verify that every ID of the .mes file is registered with the same text, and nothing else.
TEST(KeaHookMessages, TableMatchesCatalogue) {
  const auto mes = read_mes();
  const auto table = read_table();
  EXPECT_GE(mes.size(), 10u);
  EXPECT_EQ(mes, table);
}

// Verify that the IDs reach Kea's global dictionary with their texts.
TEST(KeaHookMessages, RegisteredInDictionary) {
  isc::log::MessageInitializer::loadDictionary();
  const auto dict = isc::log::MessageDictionary::globalDictionary();
  for (const auto& [id, text] : read_table()) {
    EXPECT_EQ(dict->getText(id), text) << id;
  }
  EXPECT_EQ(dict->getText(PROVSTATION_HOOK_LOADED).substr(0, 23), "provstation hook loaded");
}

}  // namespace
}  // namespace provstation::kea
