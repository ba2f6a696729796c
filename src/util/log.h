// Structured logs: one line per event, with named fields (database, destination, client, error
// code) that a log pipeline can filter on. `serve --log-format text|json --log-level ...`.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "syncline/result.h"

namespace syncline {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

// One named value of a log line. Numbers stay numbers in JSON.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), text(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), text(v) {}
  LogField(std::string_view k, const char* v) : key(k), text(v) {}
  LogField(std::string_view k, int64_t v) : key(k), text(std::to_string(v)), number(true) {}
  LogField(std::string_view k, int v) : LogField(k, static_cast<int64_t>(v)) {}
  LogField(std::string_view k, uint64_t v) : key(k), text(std::to_string(v)), number(true) {}
  std::string_view key;
  std::string text;
  bool number = false;
};

// "text" or "json"; "debug", "info", "warn" or "error": InvalidArgument otherwise.
Result<LogFormat> ParseLogFormat(std::string_view name);
Result<LogLevel> ParseLogLevel(std::string_view name);

// Sets the process's log format and level; lines go to stderr. Call once, at start.
void ConfigureLogging(LogFormat format, LogLevel level);

// The event's line as the configured format writes it, without time and level (tests).
std::string FormatLogLine(LogFormat format, std::string_view event,
                          std::span<const LogField> fields, std::string_view message);

// Logs one event: `event` is a dotted name ("sync.run", "http.error"), `message` free text.
void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields,
         std::string_view message = "");
// As Log, with `status`'s code name as "error_code" and its message as the message; at kInfo
// when it is OK.
void LogStatus(LogLevel level, std::string_view event, std::initializer_list<LogField> fields,
               const Status& status);

}  // namespace syncline
