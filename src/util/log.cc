// Structured logs through spdlog: spdlog owns the sink, the time and the level filter; this file
// renders an event's fields in the configured format.
#include "util/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <vector>

#include "util/json_reader.h"

namespace syncline {

namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

// A text value is quoted only when it would not read back as one token.
void AppendTextValue(std::string* out, const LogField& f) {
  bool plain = !f.text.empty() && f.text.find_first_of(" \"=\t\n\r\\") == std::string::npos;
  *out += plain || f.number ? f.text : JsonQuote(f.text);
}

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return Status::InvalidArgument("log format must be text or json, not '" + std::string(name) + "'");
}

Result<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn" || name == "warning") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return Status::InvalidArgument("log level must be debug, info, warn or error, not '" +
                                 std::string(name) + "'");
}

void ConfigureLogging(LogFormat format, LogLevel level) {
  g_format = format;
  auto logger = spdlog::stderr_logger_mt("syncline");
  spdlog::set_default_logger(logger);
  // Times in UTC with milliseconds, as RFC 3339 writes them.
  spdlog::set_pattern(format == LogFormat::kJson
                          ? "{\"time\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"level\":\"%l\",%v}"
                          : "%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                      spdlog::pattern_time_type::utc);
  spdlog::set_level(ToSpdlog(level));
  spdlog::flush_on(spdlog::level::debug);  // a line is written whole before a crash can lose it
}

std::string FormatLogLine(LogFormat format, std::string_view event,
                          std::span<const LogField> fields, std::string_view message) {
  std::string out;
  if (format == LogFormat::kJson) {
    out = "\"event\":" + JsonQuote(event);
    for (const LogField& f : fields) {
      out += ',' + JsonQuote(f.key) + ':';
      out += f.number ? f.text : JsonQuote(f.text);
    }
    if (!message.empty()) out += ",\"message\":" + JsonQuote(message);
    return out;
  }
  out = std::string(event);
  for (const LogField& f : fields) {
    out += ' ';
    out += f.key;
    out += '=';
    AppendTextValue(&out, f);
  }
  if (!message.empty()) {
    out += ": ";
    // One event, one line: a line break in a message must not start a line of its own.
    for (char ch : message) {
      if (ch == '\n') {
        out += "\\n";
      } else if (ch == '\r') {
        out += "\\r";
      } else {
        out += ch;
      }
    }
  }
  return out;
}

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields,
         std::string_view message) {
  auto lvl = ToSpdlog(level);
  if (!spdlog::should_log(lvl)) return;
  spdlog::log(lvl, "{}", FormatLogLine(g_format.load(), event, fields, message));
}

void LogStatus(LogLevel level, std::string_view event, std::initializer_list<LogField> fields,
               const Status& status) {
  if (status.ok()) return Log(LogLevel::kInfo, event, fields);
  auto lvl = ToSpdlog(level);
  if (!spdlog::should_log(lvl)) return;
  std::vector<LogField> all(fields);
  all.emplace_back("error_code", Status::CodeName(status.code()));
  spdlog::log(lvl, "{}", FormatLogLine(g_format.load(), event, all, status.message()));
}

}  // namespace syncline
